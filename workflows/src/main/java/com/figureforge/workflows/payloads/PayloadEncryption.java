package com.figureforge.workflows.payloads;

import io.temporal.common.converter.CodecDataConverter;
import io.temporal.common.converter.DataConverter;
import java.util.List;

/** The data converter every FigureForge client and worker uses when payload keys are configured. */
public final class PayloadEncryption {

    private PayloadEncryption() {}

    /**
     * The default converter (JSON and friends, {@link PayloadJson}) with {@link EncryptingPayloadCodec} on top. Failure
     * messages and stack traces are encrypted too (they are moved into the encoded attributes), since an
     * exception message may quote an input.
     */
    public static DataConverter dataConverter(PayloadKeys keys) {
        return new CodecDataConverter(PayloadJson.dataConverter(), List.of(new EncryptingPayloadCodec(keys)), true);
    }
}
