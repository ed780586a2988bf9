package dev.broadcaster;

/** A message whose encoded event exceeds {@code broadcaster.max-message-size}; nothing of it was sent. */
public class MessageTooLargeException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public MessageTooLargeException(int size, int limit) {
        super("Encoded event is " + size + " bytes, more than broadcaster.max-message-size (" + limit + " bytes)");
    }
}
