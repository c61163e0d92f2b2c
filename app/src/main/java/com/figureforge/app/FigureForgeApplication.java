package com.figureforge.app;

import com.figureforge.app.config.CacheProperties;
import com.figureforge.app.config.FigureForgeProperties;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurationExcludeFilter;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.TypeExcludeFilter;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.FilterType;

/**
 * One jar, two roles: the {@code api} profile serves HTTP and starts workflows; the {@code worker}
 * profile runs the Temporal workers. Without either, one process does both.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
// What @SpringBootApplication scans, less the management-context configurations: those load into the
// management port's context only (the codec server), never into the API's.
@ComponentScan(
        basePackages = "com.figureforge",
        excludeFilters = {
            @ComponentScan.Filter(type = FilterType.CUSTOM, classes = TypeExcludeFilter.class),
            @ComponentScan.Filter(type = FilterType.CUSTOM, classes = AutoConfigurationExcludeFilter.class),
            @ComponentScan.Filter(type = FilterType.ANNOTATION, classes = ManagementContextConfiguration.class)
        })
@EnableConfigurationProperties({FigureForgeProperties.class, CacheProperties.class})
public class FigureForgeApplication {

    public static void main(String[] args) {
        SpringApplication.run(FigureForgeApplication.class, args);
    }
}
