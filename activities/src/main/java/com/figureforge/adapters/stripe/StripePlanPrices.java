package com.figureforge.adapters.stripe;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which Stripe price belongs to which plan: configuration ({@code figureforge.plans.<id>.stripe-price-id}),
 * never code. A typed holder rather than a bare {@code Map<String, String>}, which Spring would try to
 * fill with every String bean.
 */
public record StripePlanPrices(Map<String, String> priceIdToPlan, Map<String, Integer> planRank) {

    public StripePlanPrices {
        priceIdToPlan = Map.copyOf(priceIdToPlan);
        planRank = Map.copyOf(planRank);
    }

    public StripePlanPrices(Map<String, String> priceIdToPlan) {
        this(priceIdToPlan, Map.of());
    }

    /** The same prices, with plans ranked (higher = better, e.g. the monthly quota) to pick the higher plan. */
    public StripePlanPrices withRanks(Map<String, Integer> ranks) {
        return new StripePlanPrices(priceIdToPlan, ranks);
    }

    /** The rank of a price's plan; 0 for an unknown price or an unranked plan. */
    public int rankOfPrice(String priceId) {
        return planOf(priceId).map(plan -> planRank.getOrDefault(plan, 0)).orElse(0);
    }

    /**
     * From plan id to price id, as configured; plans without a price id (free) are left out.
     *
     * @throws IllegalArgumentException if two plans share a price id
     */
    public static StripePlanPrices fromPlanPriceIds(Map<String, String> planToPriceId) {
        Map<String, String> byPrice = new HashMap<>();
        planToPriceId.forEach((plan, price) -> {
            if (price != null && !price.isBlank()) {
                String previous = byPrice.put(price.strip(), plan);
                if (previous != null) {
                    throw new IllegalArgumentException(
                            "plans " + previous + " and " + plan + " have the same Stripe price " + price);
                }
            }
        });
        return new StripePlanPrices(byPrice);
    }

    /** The plan of a price, or empty when the price is not configured. */
    public Optional<String> planOf(String priceId) {
        return priceId == null ? Optional.empty() : Optional.ofNullable(priceIdToPlan.get(priceId));
    }

    /** The price of a plan, or empty for a plan without one (free, or not configured). */
    public Optional<String> priceOf(String plan) {
        return priceIdToPlan.entrySet().stream()
                .filter(entry -> entry.getValue().equals(plan))
                .map(Map.Entry::getKey)
                .findFirst();
    }
}
