package com.figureforge.app.deletion;

import com.figureforge.adapters.data.UserRepository;
import com.figureforge.app.config.FigureForgeProperties;
import com.figureforge.app.users.CurrentUser;
import com.figureforge.app.web.ApiException;
import com.figureforge.app.web.ErrorCode;
import com.figureforge.app.web.ProblemResponses;
import com.figureforge.workflows.deletion.AccountDeletionWorkflow.AccountDeletionInput;
import com.figureforge.workflows.deletion.AccountDeletionWorkflows;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code DELETE /api/auth/delete/}: blocks new work at once (the user is marked deleting before the
 * answer) and starts {@code account-deletion/<user>}, which does the rest. Repeating it is harmless.
 */
@RestController
@Tag(name = "Account")
@SecurityRequirement(name = "bearer")
class AccountDeletionController {

    private final UserRepository users;
    private final WorkflowClient temporal;
    private final Clock clock;
    private final Duration reauthenticationWindow;

    AccountDeletionController(
            UserRepository users, WorkflowClient temporal, Clock clock, FigureForgeProperties properties) {
        this.users = users;
        this.temporal = temporal;
        this.clock = clock;
        this.reauthenticationWindow = properties.auth().reauthenticationWindow();
    }

    /**
     * Erasing the account is the one step a stolen session must not take: it needs a sign-in within the
     * window (the access token's {@code auth_time}; a token without one does not qualify). A deletion
     * already under way is not asked again, so repeating the request stays harmless.
     */
    private void requireRecentSignIn(Object principal) {
        Instant signedIn = principal instanceof Jwt token ? token.getClaimAsInstant("auth_time") : null;
        if (signedIn == null || signedIn.isBefore(clock.instant().minus(reauthenticationWindow))) {
            throw new ApiException(
                    ErrorCode.REAUTHENTICATION_REQUIRED,
                    "Sign in again (within the last " + reauthenticationWindow.toMinutes()
                            + " minutes) to delete the account.");
        }
    }

    @DeleteMapping("/api/auth/delete")
    @Operation(
            summary = "Delete the account and everything of it (202, status deleting); repeating it is harmless",
            description = "Blocks new work at once, then a workflow cancels running jobs and the subscription and"
                    + " deletes every image, record and the Cognito user. Later requests with the token get 410.")
    @ApiResponse(
            responseCode = "202",
            description = "Deletion started (or already running)",
            content = @Content(schema = @Schema(ref = "#/components/schemas/AccountDeletion")))
    @ProblemResponses(
            value = {ErrorCode.REAUTHENTICATION_REQUIRED, ErrorCode.SERVICE_UNAVAILABLE},
            excluding = ErrorCode.ACCOUNT_DELETING)
    ResponseEntity<Map<String, String>> delete(CurrentUser caller) {
        if (!caller.record().deleting()) {
            requireRecentSignIn(
                    SecurityContextHolder.getContext().getAuthentication().getPrincipal());
        }
        users.markDeleting(caller.id());
        try {
            AccountDeletionWorkflows.start(
                    temporal,
                    new AccountDeletionInput(
                            caller.id(), caller.record().stripeCustomerId(), caller.username(), clock.instant()));
        } catch (WorkflowExecutionAlreadyStarted alreadyRunning) {
            // A repeated request: the running deletion carries on.
        } catch (RuntimeException e) {
            throw new ApiException(
                    ErrorCode.SERVICE_UNAVAILABLE, "The deletion could not be started; new work is blocked, retry.");
        }
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(Map.of("status", "deleting"));
    }
}
