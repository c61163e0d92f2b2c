package com.figureforge.adapters.fal;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.figureforge.adapters.storage.ImageRejectedException;
import com.figureforge.workflows.FailureType;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FalImageDownloaderTest {

    private static WireMockServer cdn;
    private static FalImageDownloader downloader;

    @BeforeAll
    static void start() {
        cdn = new WireMockServer(options().dynamicPort());
        cdn.start();
        // WireMock's base URL names localhost; 127.0.0.1 is the same server under a host off the list.
        downloader = new FalImageDownloader(1000, Duration.ofSeconds(1), Duration.ofMillis(800), List.of("localhost"));
    }

    @AfterAll
    static void stop() {
        downloader.close();
        cdn.stop();
    }

    @BeforeEach
    void reset() {
        cdn.resetAll();
    }

    @Test
    void downloadsTheBytesWithoutCredentials() {
        byte[] bytes = {1, 2, 3, 4};
        cdn.stubFor(get(urlEqualTo("/files/a.png")).willReturn(aResponse().withBody(bytes)));

        assertThat(downloader.download(cdn.baseUrl() + "/files/a.png")).isEqualTo(bytes);
        cdn.verify(getRequestedFor(urlEqualTo("/files/a.png")).withHeader("Authorization", absent()));
    }

    @Test
    void aHostOffTheListIsNeverAsked() {
        cdn.stubFor(get(urlEqualTo("/files/c.png")).willReturn(aResponse().withBody(new byte[] {7})));

        FalException refused = catchThrowableOfType(
                FalException.class, () -> downloader.download("http://127.0.0.1:" + cdn.port() + "/files/c.png"));

        assertThat(refused.type()).isEqualTo(FailureType.FAL_REQUEST_FAILED);
        assertThat(refused.getMessage()).contains("not fal's");
        assertThat(cdn.getAllServeEvents()).isEmpty();
        assertThatThrownBy(() -> downloader.download("http://localhost.evil.test/files/c.png"))
                .isInstanceOf(FalException.class)
                .hasMessageContaining("not fal's");
    }

    @Test
    void aRedirectOffTheListIsNotFollowed() {
        cdn.stubFor(get(urlEqualTo("/hop"))
                .willReturn(aResponse()
                        .withStatus(302)
                        .withHeader("Location", "http://127.0.0.1:" + cdn.port() + "/files/d.png")));
        cdn.stubFor(get(urlEqualTo("/files/d.png")).willReturn(aResponse().withBody(new byte[] {8})));

        assertThatThrownBy(() -> downloader.download(cdn.baseUrl() + "/hop"))
                .isInstanceOf(FalException.class)
                .hasMessageContaining("not fal's");
        cdn.verify(0, getRequestedFor(urlEqualTo("/files/d.png")));
    }

    @Test
    void followsRedirects() {
        cdn.stubFor(get(urlEqualTo("/short"))
                .willReturn(aResponse().withStatus(302).withHeader("Location", "/files/b.png")));
        cdn.stubFor(get(urlEqualTo("/files/b.png")).willReturn(aResponse().withBody(new byte[] {9})));

        assertThat(downloader.download(cdn.baseUrl() + "/short")).containsExactly(9);
    }

    @Test
    void announcedOrActualSizeOverTheCapIsRejected() {
        cdn.stubFor(get(urlEqualTo("/declared"))
                .willReturn(aResponse().withHeader("Content-Length", "5000").withBody(new byte[5000])));
        cdn.stubFor(get(urlEqualTo("/chunked"))
                .willReturn(aResponse().withBody(new byte[5000]).withChunkedDribbleDelay(5, 50)));

        assertThatThrownBy(() -> downloader.download(cdn.baseUrl() + "/declared"))
                .isInstanceOf(ImageRejectedException.class);
        assertThatThrownBy(() -> downloader.download(cdn.baseUrl() + "/chunked"))
                .isInstanceOf(ImageRejectedException.class);
    }

    @Test
    void httpErrorsAreClassified() {
        cdn.stubFor(get(urlEqualTo("/gone")).willReturn(aResponse().withStatus(410)));
        cdn.stubFor(get(urlEqualTo("/busy")).willReturn(aResponse().withStatus(503)));
        cdn.stubFor(get(urlEqualTo("/slow"))
                .willReturn(aResponse().withBody(new byte[] {1}).withFixedDelay(3_000)));

        assertThat(catchThrowableOfType(FalException.class, () -> downloader.download(cdn.baseUrl() + "/gone"))
                        .type())
                .isEqualTo(FailureType.FAL_REQUEST_FAILED);
        assertThat(catchThrowableOfType(FalException.class, () -> downloader.download(cdn.baseUrl() + "/busy"))
                        .type())
                .isEqualTo(FailureType.FAL_UNAVAILABLE);
        assertThat(catchThrowableOfType(FalException.class, () -> downloader.download(cdn.baseUrl() + "/slow"))
                        .type())
                .isEqualTo(FailureType.FAL_UNAVAILABLE);
    }

    @Test
    void onlyHttpUrlsAreFetched() {
        for (String url : new String[] {"file:///etc/passwd", "not a url", "ftp://example.com/a.png"}) {
            assertThat(catchThrowableOfType(FalException.class, () -> downloader.download(url))
                            .type())
                    .isEqualTo(FailureType.FAL_REQUEST_FAILED);
        }
    }
}
