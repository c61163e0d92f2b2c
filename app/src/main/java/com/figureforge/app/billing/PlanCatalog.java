package com.figureforge.app.billing;

import com.figureforge.app.config.FigureForgeProperties;
import com.figureforge.app.config.FigureForgeProperties.Plan;
import java.util.Map;
import org.springframework.stereotype.Component;

/** The plans from configuration. A user whose plan id is unknown (removed from config) is treated as free. */
@Component
public class PlanCatalog {

    public static final String FREE = "free";

    private final Map<String, Plan> plans;

    PlanCatalog(FigureForgeProperties properties) {
        this.plans = properties.plans();
        if (!plans.containsKey(FREE)) {
            throw new IllegalStateException("figureforge.plans must define the 'free' plan");
        }
    }

    public Plan plan(String id) {
        return plans.getOrDefault(id, plans.get(FREE));
    }

    public String effectiveId(String id) {
        return plans.containsKey(id) ? id : FREE;
    }

    public Map<String, Plan> all() {
        return plans;
    }
}
