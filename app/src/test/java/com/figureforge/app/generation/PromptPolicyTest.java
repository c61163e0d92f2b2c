package com.figureforge.app.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.figureforge.app.web.ApiException;
import com.figureforge.app.web.ErrorCode;
import java.util.List;
import org.junit.jupiter.api.Test;

class PromptPolicyTest {

    private final PromptPolicy policy = new PromptPolicy(List.of("minor", "explicit sex", "  "));

    @Test
    void cleaningTurnsControlAndDirectionCharactersIntoSingleSpaces() {
        assertThat(PromptPolicy.clean(" a\tfigure\r\n\u0000leaning\u2028left\u202e "))
                .isEqualTo("a figure leaning left");
        assertThat(PromptPolicy.clean(" \n\t ")).isNull();
        assertThat(PromptPolicy.clean(null)).isNull();
    }

    @Test
    void deniedTermsAreRefusedAsWholeWordsInAnyCase() {
        assertThatThrownBy(() -> policy.check("a MINOR figure"))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PROMPT_NOT_ALLOWED));
        assertThatThrownBy(() -> policy.check("explicit sex scene")).isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> policy.check("minor-key mood")).isInstanceOf(ApiException.class);

        policy.check("a figure study of a minority dancer");
        policy.check("explicitly lit sexes");
        policy.check(null);
    }
}
