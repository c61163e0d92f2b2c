package com.figureforge.app.webclient;

import com.figureforge.app.generation.FigureControls;
import com.figureforge.app.generation.GenerationRequest;
import com.figureforge.app.moderation.ReportReasons;
import io.swagger.v3.oas.annotations.Hidden;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /config.json}: what the web client needs before its first API call, from configuration: the
 * sign-in (issuer endpoints, app client, scopes) and the documented values of every control with the words
 * each adds to the prompt (its preview). Part of the client, like its scripts: not an API route, not in the
 * OpenAPI document.
 */
@Hidden
@RestController
class WebClientConfigController {

    private final ClientConfig config;

    WebClientConfigController(WebClientProperties properties) {
        Map<String, List<Choice>> controls = new LinkedHashMap<>();
        FigureControls.ALL.forEach((control, phrases) -> controls.put(
                control,
                phrases.entrySet().stream()
                        .map(e -> new Choice(e.getKey(), e.getValue()))
                        .toList()));
        this.config = new ClientConfig(
                new Auth(
                        properties.clientId(),
                        properties.authorizationUri(),
                        properties.tokenUri(),
                        properties.logoutUri(),
                        properties.scopes()),
                controls,
                FigureControls.VISIBILITY,
                ReportReasons.ALL,
                GenerationRequest.MAX_PROMPT_LENGTH,
                GenerationRequest.MAX_SEED);
    }

    @GetMapping("/config.json")
    ClientConfig config() {
        return config;
    }

    record ClientConfig(
            Auth auth,
            Map<String, List<Choice>> controls,
            List<String> visibility,
            List<String> reportReasons,
            int maxPromptLength,
            long maxSeed) {}

    record Auth(String clientId, URI authorizationEndpoint, URI tokenEndpoint, URI logoutEndpoint, String scope) {}

    /** @param phrase the words the value adds to the model prompt */
    record Choice(String value, String phrase) {}
}
