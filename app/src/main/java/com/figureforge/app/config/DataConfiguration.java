package com.figureforge.app.config;

import com.figureforge.activities.generation.ImageCopier;
import com.figureforge.adapters.cognito.CognitoLogins;
import com.figureforge.adapters.cognito.CognitoSettings;
import com.figureforge.adapters.data.FigureForgeTable;
import com.figureforge.adapters.data.IdempotencyKeys;
import com.figureforge.adapters.data.ImageRepository;
import com.figureforge.adapters.data.ImageStates;
import com.figureforge.adapters.data.JobRepository;
import com.figureforge.adapters.data.JobWithAccountQuery;
import com.figureforge.adapters.data.QuotaLedger;
import com.figureforge.adapters.data.StripeEventLog;
import com.figureforge.adapters.data.UserDataEraser;
import com.figureforge.adapters.data.UserRepository;
import com.figureforge.adapters.data.VariationSetRepository;
import com.figureforge.adapters.fal.FalClientSettings;
import com.figureforge.adapters.fal.FalImageDownloader;
import com.figureforge.adapters.fal.FalQueueClient;
import com.figureforge.adapters.fal.FalWebhookTarget;
import com.figureforge.adapters.storage.ImageStoreSettings;
import com.figureforge.adapters.storage.S3ImageStore;
import com.figureforge.app.users.UserRecordCache;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import software.amazon.awssdk.services.cognitoidentityprovider.CognitoIdentityProviderClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** The adapters the API and the activities share: repositories, the quota ledger, S3 and fal clients. */
@Configuration(proxyBeanMethods = false)
class DataConfiguration {

    private static final Logger log = LoggerFactory.getLogger(DataConfiguration.class);

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    /**
     * Creates the table when asked to (local stack, tests). In AWS the table comes from
     * infrastructure code; the app never creates it there.
     */
    @Bean
    TableName tableName(FigureForgeProperties properties, DynamoDbClient dynamo) {
        var aws = properties.aws();
        if (aws.createResources()
                && FigureForgeTable.createIfMissing(dynamo, aws.dynamodb().table())) {
            log.info("Created DynamoDB table {}", aws.dynamodb().table());
        }
        return new TableName(aws.dynamodb().table());
    }

    /**
     * Creates the image bucket when asked to (local stack, tests). In AWS the bucket comes from
     * infrastructure code; the app never creates it there.
     */
    @Bean
    ImageBucket imageBucket(FigureForgeProperties properties, S3Client s3) {
        var aws = properties.aws();
        if (aws.createResources()) {
            try {
                s3.createBucket(b -> b.bucket(aws.s3().bucket()));
                log.info("Created S3 bucket {}", aws.s3().bucket());
            } catch (BucketAlreadyOwnedByYouException exists) {
                log.debug("Bucket {} exists", aws.s3().bucket());
            } catch (S3Exception e) {
                if (e.statusCode() != 409) {
                    throw e;
                }
            }
        }
        return new ImageBucket(aws.s3().bucket());
    }

    /** The table name, as a bean that exists only once the table does. */
    record TableName(String value) {}

    /** The image bucket's name, as a bean that exists only once the bucket does. */
    record ImageBucket(String value) {}

    @Bean
    UserRecordCache userRecordCache(CacheProperties caches) {
        return new UserRecordCache(caches);
    }

    /** Every profile write of this process drops the user from {@link UserRecordCache}. */
    @Bean
    UserRepository userRepository(DynamoDbClient dynamo, TableName table, Clock clock, UserRecordCache cache) {
        return new UserRepository(dynamo, table.value(), clock, cache::written);
    }

    @Bean
    JobRepository jobRepository(DynamoDbClient dynamo, TableName table, Clock clock) {
        return new JobRepository(dynamo, table.value(), clock);
    }

    @Bean
    JobWithAccountQuery jobWithAccountQuery(DynamoDbClient dynamo, TableName table) {
        return new JobWithAccountQuery(dynamo, table.value());
    }

    @Bean
    VariationSetRepository variationSetRepository(DynamoDbClient dynamo, TableName table, Clock clock) {
        return new VariationSetRepository(dynamo, table.value(), clock);
    }

    @Bean
    IdempotencyKeys idempotencyKeys(DynamoDbClient dynamo, TableName table, Clock clock) {
        return new IdempotencyKeys(dynamo, table.value(), clock);
    }

    @Bean
    ImageRepository imageRepository(
            DynamoDbClient dynamo, TableName table, Clock clock, FigureForgeProperties properties) {
        return new ImageRepository(
                dynamo, table.value(), clock, properties.gallery().shards());
    }

    @Bean
    ImageStates imageStates(DynamoDbClient dynamo, TableName table, Clock clock, ImageRepository images) {
        return new ImageStates(dynamo, table.value(), clock, images);
    }

    @Bean
    QuotaLedger quotaLedger(DynamoDbClient dynamo, TableName table, Clock clock) {
        return new QuotaLedger(dynamo, table.value(), clock);
    }

    @Bean
    UserDataEraser userDataEraser(DynamoDbClient dynamo, TableName table) {
        return new UserDataEraser(dynamo, table.value());
    }

    @Bean
    CognitoLogins cognitoLogins(CognitoIdentityProviderClient cognito, FigureForgeProperties properties) {
        return new CognitoLogins(cognito, new CognitoSettings(properties.auth().userPoolId()));
    }

    @Bean
    StripeEventLog stripeEventLog(DynamoDbClient dynamo, TableName table, Clock clock) {
        return new StripeEventLog(dynamo, table.value(), clock);
    }

    @Bean
    S3ImageStore s3ImageStore(
            S3Client s3, S3Presigner presigner, ImageBucket bucket, FigureForgeProperties properties) {
        return new S3ImageStore(
                s3,
                presigner,
                new ImageStoreSettings(bucket.value(), properties.images().maxDownloadBytes(), 0, 0, 0));
    }

    @Bean
    FalImageDownloader falImageDownloader(FigureForgeProperties properties) {
        var fal = properties.fal();
        return new FalImageDownloader(
                properties.images().maxDownloadBytes(),
                fal.connectTimeout(),
                fal.readTimeout().multipliedBy(2),
                fal.imageHosts());
    }

    /** Image copies of the storage worker, at most images.max-concurrent-copies at once (their memory). */
    @Bean
    ImageCopier imageCopier(FalImageDownloader downloader, S3ImageStore store, FigureForgeProperties properties) {
        return new ImageCopier(downloader, store, properties.images().maxConcurrentCopies());
    }

    /** Where fal delivers completion webhooks; none when FAL_WEBHOOK_URL is unset (the status stream then). */
    @Bean
    FalWebhookTarget falWebhookTarget(FigureForgeProperties properties) {
        return new FalWebhookTarget(properties.fal().webhookUrl());
    }

    @Bean
    FalQueueClient falQueueClient(FigureForgeProperties properties) {
        var fal = properties.fal();
        if (!fal.configured()) {
            log.warn(
                    "FAL_KEY is not set: generation jobs will fail until a fal key (or the local emulator) is configured");
        }
        return new FalQueueClient(
                new FalClientSettings(fal.baseUrl(), fal.apiKey(), fal.connectTimeout(), fal.readTimeout()));
    }
}
