package io.cachekit.example;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cache.annotation.EnableCaching;

/**
 * A small weather and profile API showing Cachekit in a Spring Boot application: a slow lookup cached with
 * {@code @Cached}, an endpoint cached whole with {@code @CachedResponse}, the injected {@code Cache} used
 * directly, Spring's {@code @Cacheable} on Cachekit, and an endpoint that clears the caches.
 *
 * <p>Runs on the in-memory backend; {@code cachekit.backend} switches it to Redis or PostgreSQL.
 */
@SpringBootApplication
@EnableCaching
public class ExampleApplication {

    public static void main(String[] args) {
        SpringApplication.run(ExampleApplication.class, args);
    }
}
