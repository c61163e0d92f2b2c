package com.figureforge.app.users;

import com.figureforge.adapters.data.QuotaLedger;
import com.figureforge.adapters.data.QuotaPeriod;
import com.figureforge.adapters.data.UserRecord;
import com.figureforge.adapters.data.UserRepository;
import com.figureforge.app.billing.QuotaPolicy;
import com.figureforge.app.generation.FigureControls;
import com.figureforge.app.web.ApiException;
import com.figureforge.app.web.ApiException.FieldError;
import com.figureforge.app.web.ErrorCode;
import com.figureforge.app.web.ProblemResponses;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "Account")
@SecurityRequirement(name = "bearer")
class UserController {

    static final int MAX_DISPLAY_NAME = 64;

    private final UserRepository users;
    private final QuotaLedger ledger;
    private final QuotaPolicy quota;
    private final Clock clock;

    UserController(UserRepository users, QuotaLedger ledger, QuotaPolicy quota, Clock clock) {
        this.users = users;
        this.ledger = ledger;
        this.quota = quota;
        this.clock = clock;
    }

    @GetMapping("/api/auth/user")
    @Operation(
            summary = "The caller's profile, plan and quota; creates the user on first call",
            description = "The user record is created by the first authenticated request. `email` comes from"
                    + " Cognito (null until it is known); `quota` counts this period's images.")
    UserView me(CurrentUser caller) {
        return view(caller.record());
    }

    @PutMapping("/api/auth/user/update")
    @Operation(
            summary = "Change display_name (1-64 characters) and/or default_visibility",
            description = "Give either field or both; unknown fields are a 400 `unknown_field`, bad values a 400"
                    + " `validation_failed` listing every invalid field. Answers the updated profile.")
    @ProblemResponses(ErrorCode.NOT_FOUND)
    UserView update(CurrentUser caller, @RequestBody ProfileUpdate update) {
        List<FieldError> errors = new ArrayList<>();
        String displayName =
                update.displayName() == null ? null : update.displayName().strip();
        if (update.displayName() == null && update.defaultVisibility() == null) {
            errors.add(new FieldError("display_name", "give display_name, default_visibility or both"));
        }
        if (displayName != null && (displayName.isEmpty() || displayName.length() > MAX_DISPLAY_NAME)) {
            errors.add(new FieldError("display_name", "must be 1 to " + MAX_DISPLAY_NAME + " characters"));
        }
        if (displayName != null && displayName.chars().anyMatch(Character::isISOControl)) {
            errors.add(new FieldError("display_name", "must not contain control characters"));
        }
        if (update.defaultVisibility() != null && !FigureControls.VISIBILITY.contains(update.defaultVisibility())) {
            errors.add(new FieldError("default_visibility", "must be one of " + FigureControls.VISIBILITY));
        }
        if (!errors.isEmpty()) {
            throw new ApiException(ErrorCode.VALIDATION_FAILED, "The profile update is invalid.", errors);
        }
        UserRecord updated = users.updateProfile(caller.id(), displayName, update.defaultVisibility())
                .orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND, "The user no longer exists."));
        return view(updated);
    }

    private UserView view(UserRecord user) {
        Instant now = clock.instant();
        QuotaPeriod period = quota.period(user, now);
        int limit = quota.plan(user).monthlyImages();
        var usage = ledger.usage(user.id(), period.key(), limit);
        return new UserView(
                user.id(),
                user.username(),
                user.email(),
                user.displayName(),
                quota.planId(user),
                user.subscriptionStatus(),
                user.defaultVisibility(),
                new QuotaView(limit, usage.used(), usage.remaining(), usage.inFlight(), period.start(), period.end()),
                user.createdAt());
    }

    record ProfileUpdate(String displayName, String defaultVisibility) {}

    record UserView(
            String id,
            String username,
            String email,
            String displayName,
            String plan,
            String subscriptionStatus,
            String defaultVisibility,
            QuotaView quota,
            Instant createdAt) {}

    /** @param inFlight jobs queued or running now */
    record QuotaView(long limit, long used, long remaining, int inFlight, Instant periodStart, Instant periodEnd) {}
}
