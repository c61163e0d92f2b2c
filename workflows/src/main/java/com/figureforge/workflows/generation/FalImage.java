package com.figureforge.workflows.generation;

/** One image as fal.ai returns it: a short-lived CDN URL and what fal says it is. */
public record FalImage(String url, int width, int height, String contentType) {}
