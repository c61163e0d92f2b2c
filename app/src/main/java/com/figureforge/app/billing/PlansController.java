package com.figureforge.app.billing;

import com.figureforge.app.ratelimit.RateLimited;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "Subscriptions")
class PlansController {

    private final PlanCatalog catalog;

    PlansController(PlanCatalog catalog) {
        this.catalog = catalog;
    }

    @GetMapping("/api/subscriptions/plans")
    @RateLimited("plans")
    @Operation(
            summary = "The plans with price, monthly quota and limits",
            description = "No token needed. Prices and limits are configuration; `free` needs no subscription.",
            security = {})
    PlansView plans() {
        return new PlansView(catalog.all().entrySet().stream()
                .map(e -> new PlanView(
                        e.getKey(),
                        e.getValue().displayName(),
                        e.getValue().priceCents(),
                        "usd",
                        e.getValue().monthlyImages(),
                        e.getValue().imagesPerJob(),
                        e.getValue().inFlightJobs(),
                        e.getValue().features() == null
                                ? List.of()
                                : e.getValue().features()))
                .toList());
    }

    record PlansView(List<PlanView> plans) {}

    record PlanView(
            String id,
            String name,
            int priceCents,
            String currency,
            int monthlyImages,
            int imagesPerJob,
            int inFlightJobs,
            List<String> features) {}
}
