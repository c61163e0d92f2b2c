package com.figureforge.app;

import com.figureforge.app.config.CacheProperties;
import com.figureforge.app.config.FigureForgeProperties;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/**
 * One jar, two roles: the {@code api} profile serves HTTP and starts workflows; the {@code worker}
 * profile runs the Temporal workers. Without either, one process does both.
 */
@SpringBootApplication(scanBasePackages = "com.figureforge")
@EnableConfigurationProperties({FigureForgeProperties.class, CacheProperties.class})
public class FigureForgeApplication {

    public static void main(String[] args) {
        SpringApplication.run(FigureForgeApplication.class, args);
    }
}
