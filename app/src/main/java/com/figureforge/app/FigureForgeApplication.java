package com.figureforge.app;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication(scanBasePackages = "com.figureforge")
public class FigureForgeApplication {

    public static void main(String[] args) {
        SpringApplication.run(FigureForgeApplication.class, args);
    }
}
