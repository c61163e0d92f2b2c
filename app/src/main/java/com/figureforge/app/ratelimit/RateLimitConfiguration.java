package com.figureforge.app.ratelimit;

import com.figureforge.adapters.data.RateLimitCounters;
import com.figureforge.adapters.data.UserRepository;
import com.figureforge.app.config.FigureForgeProperties;
import com.figureforge.app.users.UserRecordCache;
import com.figureforge.app.web.Problems;
import java.time.Clock;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The rate limiter: counters in the shared table, enforced on the API's routes. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RateLimitProperties.class)
class RateLimitConfiguration {

    @Bean
    RateLimitCounters rateLimitCounters(DynamoDbClient dynamo, FigureForgeProperties properties, Clock clock) {
        return new RateLimitCounters(dynamo, properties.aws().dynamodb().table(), clock);
    }

    @Bean
    RateLimitInterceptor rateLimitInterceptor(
            RateLimitProperties properties,
            RateLimitedRoutes routes,
            RateLimitCounters counters,
            UserRepository users,
            UserRecordCache recentUsers,
            Problems problems) {
        return new RateLimitInterceptor(properties, routes, counters, users, recentUsers, problems);
    }

    @Bean
    WebMvcConfigurer rateLimitRegistration(RateLimitInterceptor interceptor) {
        return new WebMvcConfigurer() {
            @Override
            public void addInterceptors(InterceptorRegistry registry) {
                registry.addInterceptor(interceptor).addPathPatterns("/api/**");
            }
        };
    }
}
