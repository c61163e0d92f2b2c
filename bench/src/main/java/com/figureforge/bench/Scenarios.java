package com.figureforge.bench;

import com.figureforge.adapters.data.ImageRecord;
import com.figureforge.adapters.data.ImageRepository;
import com.figureforge.adapters.data.JobRecord;
import com.figureforge.adapters.data.JobRepository;
import com.figureforge.adapters.storage.S3ImageStore;
import com.figureforge.devstack.fal.FalEmulator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The measurements. Job state is read from the table with the app's own {@link JobRepository}, so
 * waiting for jobs costs FigureForge nothing; everything else goes over HTTP.
 */
final class Scenarios {

    private final BenchSettings settings;
    private final FigureForgeProcess app;
    private final BenchClient client;
    private final FalEmulator fal;
    private final DirectPipeline direct;
    private final FinishedJobs finishedJobs;
    private final ImageRepository images;
    private final DynamoDbClient dynamo;
    private final String table;
    private final JobTimeline timeline;
    private final AtomicLong users = new AtomicLong();
    private final String run = UUID.randomUUID().toString().substring(0, 6);

    Scenarios(
            BenchSettings settings,
            FigureForgeProcess app,
            BenchClient client,
            FalEmulator fal,
            DirectPipeline direct,
            JobRepository jobs,
            ImageRepository images,
            DynamoDbClient dynamo,
            String table,
            JobTimeline timeline) {
        this.settings = settings;
        this.app = app;
        this.client = client;
        this.fal = fal;
        this.direct = direct;
        this.finishedJobs = new FinishedJobs(dynamo, table, jobs);
        this.images = images;
        this.dynamo = dynamo;
        this.table = table;
        this.timeline = timeline;
    }

    /** Gallery and user-images pages with 1k, 10k, 100k stored (public) images of one user. */
    Map<String, Object> reads() {
        Map<String, Object> results = new LinkedHashMap<>();
        String owner = "bench-owner-" + run;
        String token = client.newUser(owner);
        int stored = 0;
        for (int size : settings.storedImages()) {
            long seeding = System.nanoTime();
            seed(owner, stored, size);
            stored = size;
            System.out.printf("  seeded %d images in %.0f s%n", size, (System.nanoTime() - seeding) / 1e9);
            Latencies gallery = new Latencies();
            Latencies mine = new Latencies();
            long until = System.nanoTime() + settings.readSeconds().toNanos();
            parallel(settings.readClients(), worker -> {
                while (System.nanoTime() < until) {
                    walk("/api/images/gallery/?limit=20", null, gallery);
                    walk("/api/images/user/?limit=20", token, mine);
                }
            });
            results.put(Integer.toString(size), Map.of("gallery", gallery.summary(), "user_images", mine.summary()));
        }
        return results;
    }

    /** Three pages deep, following next_cursor: deeper pages are other cache keys. */
    private void walk(String first, String token, Latencies into) {
        String path = first;
        for (int page = 0; page < 3 && path != null; page++) {
            BenchClient.Timed answer = client.get(path, token);
            if (answer.status() != 200) {
                throw new IllegalStateException(path + " answered " + answer.status() + ": " + answer.body());
            }
            into.addNanos(answer.nanos());
            var cursor = answer.json().get("next_cursor");
            path = cursor == null || cursor.isNull() ? null : first + "&cursor=" + cursor.asString();
        }
    }

    private void seed(String owner, int from, int to) {
        Instant newest = Instant.now().minusSeconds(60);
        AtomicInteger next = new AtomicInteger(from);
        parallel(8, worker -> {
            List<WriteRequest> batch = new ArrayList<>();
            for (int i = next.getAndIncrement(); i < to; i = next.getAndIncrement()) {
                String id = "img_" + run + "_" + i;
                String job = "job_" + run + "_" + i;
                // The app's key layout, already published: the steady state of a gallery, where every
                // public image has its public copy (no copy on first read).
                String key = "images/" + owner + "/" + job + "/0.png";
                String thumbnailKey = "images/" + owner + "/" + job + "/0-thumb.jpg";
                batch.add(put(new ImageRecord(
                        id,
                        job,
                        owner,
                        key,
                        thumbnailKey,
                        768,
                        1024,
                        "image/png",
                        i,
                        "benchmark figure",
                        "public",
                        newest.minusMillis(i),
                        S3ImageStore.publicKeyOf(key),
                        S3ImageStore.publicKeyOf(thumbnailKey),
                        null,
                        0)));
                if (batch.size() == 25) {
                    write(batch);
                    batch.clear();
                }
            }
            write(batch);
        });
    }

    private WriteRequest put(ImageRecord image) {
        return WriteRequest.builder()
                .putRequest(r -> r.item(images.toItem(image)))
                .build();
    }

    /** One BatchWriteItem, repeated for what the server left unprocessed. */
    private void write(List<WriteRequest> batch) {
        Map<String, List<WriteRequest>> left = Map.of(table, List.copyOf(batch));
        while (!batch.isEmpty() && !left.isEmpty()) {
            Map<String, List<WriteRequest>> pending = left;
            left = dynamo.batchWriteItem(b -> b.requestItems(pending)).unprocessedItems();
        }
    }

    /**
     * Job latency at fal latency L, FigureForge and the direct pipeline, a few jobs in flight. The
     * first jobs after start-up run the job path's code for the first time (class loading, JIT); they
     * are a warm-up reported on its own ({@code warm_up}), not mixed into the steady-state percentiles.
     */
    Map<String, Object> jobLatency() {
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("warm_up", warmUp(settings.falLatencies().getFirst()));
        for (Duration latency : settings.falLatencies()) {
            fal.setLatency(Duration.ZERO, latency);
            List<String> tokens = newUsers(settings.latencyJobs());
            WorkerCounts countsBefore = app.workerCounts();
            Latencies figureForge = new Latencies();
            List<JobRecord> finished = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger next = new AtomicInteger();
            parallel(settings.latencyInFlight(), worker -> {
                for (int i = next.getAndIncrement(); i < tokens.size(); i = next.getAndIncrement()) {
                    JobRecord done = awaitFinished(List.of(client.startJob(tokens.get(i))))
                            .getFirst();
                    figureForge.addNanos(Duration.between(done.createdAt(), done.finishedAt())
                            .toNanos());
                    finished.add(done);
                }
            });
            Map<String, Object> workerPerJob = app.workerCounts().perJobSince(countsBefore, tokens.size());
            Latencies baseline = new Latencies();
            AtomicInteger nextDirect = new AtomicInteger();
            parallel(settings.latencyInFlight(), worker -> {
                for (int i = nextDirect.getAndIncrement();
                        i < settings.latencyJobs();
                        i = nextDirect.getAndIncrement()) {
                    baseline.addNanos(direct.run(i).toNanos());
                }
            });
            results.put(
                    latency.toMillis() + "ms",
                    Map.of(
                            "figureforge",
                            figureForge.summary(),
                            "direct",
                            baseline.summary(),
                            "figureforge_phases_median_ms",
                            timeline.medians(finished),
                            "worker_per_job",
                            workerPerJob));
        }
        return results;
    }

    /** The first jobs after start-up, in order, both sides: what a cold process costs a job. */
    private Map<String, Object> warmUp(Duration latency) {
        fal.setLatency(Duration.ZERO, latency);
        List<Double> figureForge = new ArrayList<>();
        List<Double> baseline = new ArrayList<>();
        for (String token : newUsers(settings.warmUpJobs())) {
            JobRecord done = awaitFinished(List.of(client.startJob(token))).getFirst();
            figureForge.add(Latencies.round(
                    Duration.between(done.createdAt(), done.finishedAt()).toNanos() / 1e6));
            baseline.add(Latencies.round(direct.run(token.hashCode()).toNanos() / 1e6));
        }
        Map<String, Object> warmUp = new LinkedHashMap<>();
        warmUp.put("fal_latency_ms", latency.toMillis());
        warmUp.put("figureforge_ms_in_order", figureForge);
        warmUp.put("direct_ms_in_order", baseline);
        return warmUp;
    }

    /** N jobs from N users at once: completion time and jobs/s, CPU per job and peak RSS. */
    Map<String, Object> bursts() {
        Map<String, Object> results = new LinkedHashMap<>();
        fal.setLatency(Duration.ZERO, settings.burstFalLatency());
        for (int n : settings.burstSizes()) {
            List<String> tokens = newUsers(n);
            AtomicLong peakRss = new AtomicLong(app.rssMiB());
            Thread sampler = Thread.ofVirtual().start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    peakRss.accumulateAndGet(app.rssMiB(), Math::max);
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            WorkerCounts countsBefore = app.workerCounts();
            long cpuBefore = app.cpuMillis();
            Instant start = Instant.now();
            List<String> ids = mapAtOnce(tokens, client::startJob);
            List<JobRecord> done = awaitFinished(ids);
            Instant last = done.stream()
                    .map(JobRecord::finishedAt)
                    .max(Instant::compareTo)
                    .orElseThrow();
            long cpu = app.cpuMillis() - cpuBefore;
            Map<String, Object> workerPerJob = app.workerCounts().perJobSince(countsBefore, n);
            sampler.interrupt();
            double seconds = Duration.between(start, last).toMillis() / 1000.0;
            long succeeded = done.stream()
                    .filter(job -> job.status().wire().equals("succeeded"))
                    .count();

            long directStart = System.nanoTime();
            mapAtOnce(tokens, token -> direct.run(token.hashCode()));
            double directSeconds = (System.nanoTime() - directStart) / 1e9;

            Map<String, Object> burst = new LinkedHashMap<>();
            burst.put("jobs", n);
            burst.put("succeeded", succeeded);
            burst.put("seconds", Latencies.round(seconds));
            burst.put("jobs_per_second", Latencies.round(n / seconds));
            burst.put("direct_seconds", Latencies.round(directSeconds));
            burst.put("direct_jobs_per_second", Latencies.round(n / directSeconds));
            burst.put("ideal_jobs_per_second", Latencies.round(settings.idealJobsPerSecond()));
            burst.put("share_of_ideal", Math.round(n / seconds / settings.idealJobsPerSecond() * 100) / 100.0);
            burst.put("achievable_seconds", Latencies.round(settings.leastBurstSeconds(n)));
            burst.put("share_of_achievable", Math.round(settings.leastBurstSeconds(n) / seconds * 100) / 100.0);
            burst.put("cpu_ms_per_job", Latencies.round((double) cpu / n));
            burst.put("peak_rss_mib", peakRss.get());
            burst.put("worker_per_job", workerPerJob);
            results.put(Integer.toString(n), burst);
        }
        return results;
    }

    /** POST /api/images/generate/ at fixed arrival rates, the workers' jobs running in the same process. */
    Map<String, Object> generateRates() {
        fal.setLatency(Duration.ZERO, settings.burstFalLatency());
        return GenerateArrivals.measure(settings, app, client, this::newUsers);
    }

    private List<String> newUsers(int count) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add("bench-" + run + "-" + users.incrementAndGet());
        }
        return mapParallel(names, client::newUser);
    }

    private List<JobRecord> awaitFinished(List<String> jobIds) {
        return finishedJobs.await(jobIds);
    }

    interface Work {
        void run(int worker) throws Exception;
    }

    static void parallel(int workers, Work work) {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                int worker = i;
                futures.add(pool.submit(() -> {
                    work.run(worker);
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every input on a thread of its own, all started together. */
    static <T, R> List<R> mapAtOnce(List<T> inputs, java.util.function.Function<T, R> function) {
        return map(Executors.newVirtualThreadPerTaskExecutor(), inputs, function);
    }

    static <T, R> List<R> mapParallel(List<T> inputs, java.util.function.Function<T, R> function) {
        return map(Executors.newFixedThreadPool(16), inputs, function);
    }

    private static <T, R> List<R> map(
            ExecutorService executor, List<T> inputs, java.util.function.Function<T, R> function) {
        try (ExecutorService pool = executor) {
            List<Future<R>> futures = new ArrayList<>();
            for (T input : inputs) {
                futures.add(pool.submit(() -> function.apply(input)));
            }
            List<R> results = new ArrayList<>();
            for (Future<R> future : futures) {
                results.add(future.get());
            }
            return results;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
