package com.figureforge.app.config;

import java.net.URI;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.StringUtils;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cognitoidentityprovider.CognitoIdentityProviderClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** AWS clients. An endpoint in configuration points a client at a local stand-in instead of AWS. */
@Configuration(proxyBeanMethods = false)
class AwsConfiguration {

    @Bean
    AwsCredentialsProvider awsCredentialsProvider(FigureForgeProperties properties) {
        var aws = properties.aws();
        if (aws.staticCredentials()) {
            return StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(aws.accessKeyId(), aws.secretAccessKey()));
        }
        return DefaultCredentialsProvider.builder().build();
    }

    @Bean(destroyMethod = "close")
    DynamoDbClient dynamoDbClient(FigureForgeProperties properties, AwsCredentialsProvider credentials) {
        var builder = DynamoDbClient.builder()
                .region(Region.of(properties.aws().region()))
                .credentialsProvider(credentials)
                .httpClientBuilder(Apache5HttpClient.builder().maxConnections(100));
        String endpoint = properties.aws().dynamodb().endpoint();
        if (StringUtils.hasText(endpoint)) {
            builder.endpointOverride(URI.create(endpoint));
        }
        return builder.build();
    }

    @Bean(destroyMethod = "close")
    S3Client s3Client(FigureForgeProperties properties, AwsCredentialsProvider credentials) {
        var s3 = properties.aws().s3();
        var builder = S3Client.builder()
                .region(Region.of(properties.aws().region()))
                .credentialsProvider(credentials)
                .forcePathStyle(s3.pathStyle())
                .httpClientBuilder(Apache5HttpClient.builder().maxConnections(100));
        if (StringUtils.hasText(s3.endpoint())) {
            builder.endpointOverride(URI.create(s3.endpoint()));
        }
        return builder.build();
    }

    @Bean(destroyMethod = "close")
    CognitoIdentityProviderClient cognitoClient(FigureForgeProperties properties, AwsCredentialsProvider credentials) {
        return CognitoIdentityProviderClient.builder()
                .region(Region.of(properties.aws().region()))
                .credentialsProvider(credentials)
                .httpClientBuilder(Apache5HttpClient.builder())
                .build();
    }

    @Bean(destroyMethod = "close")
    S3Presigner s3Presigner(FigureForgeProperties properties, AwsCredentialsProvider credentials) {
        var s3 = properties.aws().s3();
        var builder = S3Presigner.builder()
                .region(Region.of(properties.aws().region()))
                .credentialsProvider(credentials)
                .serviceConfiguration(S3Configuration.builder()
                        .pathStyleAccessEnabled(s3.pathStyle())
                        .build());
        if (StringUtils.hasText(s3.endpoint())) {
            builder.endpointOverride(URI.create(s3.endpoint()));
        }
        return builder.build();
    }
}
