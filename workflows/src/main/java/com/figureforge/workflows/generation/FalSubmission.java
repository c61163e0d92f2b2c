package com.figureforge.workflows.generation;

/** fal.ai's answer to a submit: the request id and the URLs to follow it with. */
public record FalSubmission(String requestId, String statusUrl, String responseUrl, String cancelUrl) {}
