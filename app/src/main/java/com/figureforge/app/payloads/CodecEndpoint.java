package com.figureforge.app.payloads;

import com.figureforge.app.web.ErrorCode;
import com.figureforge.workflows.payloads.EncryptingPayloadCodec;
import com.figureforge.workflows.payloads.PayloadKeys;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.Payloads;
import io.temporal.payload.codec.PayloadCodecException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;
import tools.jackson.databind.json.JsonMapper;

/**
 * Temporal's codec-server protocol: {@code POST /codec/encode} and {@code /codec/decode} take
 * {@code {"payloads": [{"metadata": {k: base64}, "data": base64}]}} (the protobuf JSON form of
 * {@code Payloads}) and answer the same shape, run through {@link EncryptingPayloadCodec}. The Web UI and
 * {@code temporal --codec-endpoint} call it so an authorized operator reads decrypted payloads; the
 * security chain lets only the operator group through. Each call is logged with the operator and the
 * count, never the contents.
 */
final class CodecEndpoint {

    private static final Logger log = LoggerFactory.getLogger(CodecEndpoint.class);
    private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9._-]{1,255}");

    private final EncryptingPayloadCodec codec;
    private final int maxRequestBytes;
    private final JsonMapper json;

    /** @param keys the payload keys, or null when encryption is off (then every call answers 404) */
    CodecEndpoint(PayloadKeys keys, CodecServerProperties properties, JsonMapper json) {
        this.codec = keys == null ? null : new EncryptingPayloadCodec(keys);
        this.maxRequestBytes = properties.maxRequestBytes();
        this.json = json;
    }

    ServerResponse encode(ServerRequest request) {
        return apply(request, "encode", payloads -> codec.encode(payloads));
    }

    ServerResponse decode(ServerRequest request) {
        return apply(request, "decode", payloads -> codec.decode(payloads));
    }

    private ServerResponse apply(ServerRequest request, String operation, UnaryOperator<List<Payload>> codecStep) {
        if (codec == null) {
            return problem(request, ErrorCode.NOT_FOUND, "Payload encryption is off: there is nothing to " + operation);
        }
        byte[] body;
        try (InputStream in = request.servletRequest().getInputStream()) {
            body = in.readNBytes(maxRequestBytes + 1);
        } catch (IOException e) {
            return problem(request, ErrorCode.BAD_REQUEST, "The request body could not be read.");
        }
        if (body.length > maxRequestBytes) {
            return problem(
                    request, ErrorCode.PAYLOAD_TOO_LARGE, "The request body exceeds " + maxRequestBytes + " bytes.");
        }
        Payloads.Builder payloads = Payloads.newBuilder();
        try {
            JsonFormat.parser().ignoringUnknownFields().merge(new String(body, StandardCharsets.UTF_8), payloads);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            return problem(
                    request,
                    ErrorCode.MALFORMED_JSON,
                    "Expected {\"payloads\": [{\"metadata\": {...}, \"data\": \"<base64>\"}]}.");
        }
        List<Payload> result;
        try {
            result = codecStep.apply(payloads.getPayloadsList());
        } catch (PayloadCodecException e) {
            log.warn("codec server: {} refused for {}: {}", operation, operator(request), e.getMessage());
            return problem(request, ErrorCode.BAD_REQUEST, "A payload could not be processed: " + e.getMessage());
        }
        log.info(
                "codec server: {} {} {} payload(s) (namespace {})",
                operator(request),
                operation + "d",
                result.size(),
                namespace(request));
        try {
            String answer = JsonFormat.printer()
                    .omittingInsignificantWhitespace()
                    .print(Payloads.newBuilder().addAllPayloads(result).build());
            return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).body(answer);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("payloads could not be written as JSON", e);
        }
    }

    /** The namespace the caller names, only if it looks like one (it goes into the log). */
    private static String namespace(ServerRequest request) {
        String namespace = request.headers().firstHeader("X-Namespace");
        return namespace != null && NAMESPACE.matcher(namespace).matches() ? namespace : "-";
    }

    private static String operator(ServerRequest request) {
        return request.principal().map(Principal::getName).orElse("anonymous");
    }

    private ServerResponse problem(ServerRequest request, ErrorCode code, String detail) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", code.type());
        body.put("title", code.title());
        body.put("status", code.status().value());
        body.put("detail", detail);
        body.put("instance", request.path());
        body.put("code", code.code());
        return ServerResponse.status(code.status())
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(json.writeValueAsString(body));
    }
}
