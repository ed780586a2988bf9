package dev.broadcaster.internal;

import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.MessageBodyWriter;
import jakarta.ws.rs.ext.Provider;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;

/**
 * Writes the library's frames to Jersey's SSE streams as the bytes encoded once per broadcast, instead
 * of Jersey serialising every event again for every connection. Registered by scanning (it is a
 * {@code @Provider}); other containers (RESTEasy) write the same bytes from the frame's fields.
 */
@Provider
@Produces(MediaType.SERVER_SENT_EVENTS)
public class FrameWriter implements MessageBodyWriter<JerseyFrame> {

    @Override
    public boolean isWriteable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        return type == JerseyFrame.class;
    }

    @Override
    public void writeTo(JerseyFrame frame, Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType,
            MultivaluedMap<String, Object> httpHeaders, OutputStream out) throws IOException {
        frame.frame().writeUnterminatedTo(out);
    }
}
