package com.figureforge.app.web;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.filter.UrlHandlerFilter;

/**
 * Every route answers with and without its trailing slash (the first clients were written against
 * a Django API that used them). The slash is stripped before security and MVC see the path, so
 * routes and security rules are written once, without it.
 */
@Configuration(proxyBeanMethods = false)
class TrailingSlashConfiguration {

    @Bean
    FilterRegistrationBean<UrlHandlerFilter> trailingSlashFilter() {
        UrlHandlerFilter filter =
                UrlHandlerFilter.trailingSlashHandler("/api/**").wrapRequest().build();
        FilterRegistrationBean<UrlHandlerFilter> registration = new FilterRegistrationBean<>(filter);
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }
}
