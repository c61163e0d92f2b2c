package com.figureforge.adapters.fal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A {@link HttpResponse.BodyHandler} that collects the body into a byte array but gives up (and cancels the
 * download) as soon as it grows past a cap, or at once when {@code Content-Length} announces more.
 */
final class BoundedBody {

    private BoundedBody() {}

    /** Thrown (as the cause of the exchange's failure) when a body exceeds its cap. */
    static final class TooLargeException extends IOException {
        private final long limit;

        TooLargeException(long limit, String message) {
            super(message);
            this.limit = limit;
        }

        long limit() {
            return limit;
        }
    }

    static HttpResponse.BodyHandler<byte[]> handler(long maxBytes) {
        return info -> {
            OptionalLong declared = info.headers().firstValueAsLong("Content-Length");
            if (declared.isPresent() && declared.getAsLong() > maxBytes) {
                return new Subscriber(
                        maxBytes,
                        new TooLargeException(
                                maxBytes,
                                "body of " + declared.getAsLong() + " bytes exceeds the limit of " + maxBytes));
            }
            return new Subscriber(maxBytes, null);
        };
    }

    private static final class Subscriber implements HttpResponse.BodySubscriber<byte[]> {
        private final long maxBytes;
        private final TooLargeException rejectAtOnce;
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private Flow.Subscription subscription;

        Subscriber(long maxBytes, TooLargeException rejectAtOnce) {
            this.maxBytes = maxBytes;
            this.rejectAtOnce = rejectAtOnce;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            if (rejectAtOnce != null) {
                subscription.cancel();
                result.completeExceptionally(rejectAtOnce);
                return;
            }
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer item : items) {
                if (buffer.size() + (long) item.remaining() > maxBytes) {
                    subscription.cancel();
                    result.completeExceptionally(
                            new TooLargeException(maxBytes, "body exceeds the limit of " + maxBytes + " bytes"));
                    return;
                }
                byte[] chunk = new byte[item.remaining()];
                item.get(chunk);
                buffer.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable throwable) {
            result.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            result.complete(buffer.toByteArray());
        }
    }
}
