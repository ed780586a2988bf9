package dev.broadcaster.rooms;

import jakarta.enterprise.context.RequestScoped;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;

/** The room list; the room pages are served by {@link RoomResource}. */
@Path("")
@RequestScoped
public class PagesResource {

    @Context
    SecurityContext security;

    @Context
    HttpServletRequest request;

    @GET
    @Produces(MediaType.TEXT_HTML)
    public String index() {
        return Pages.index(request.getContextPath(), user());
    }

    private String user() {
        return security.getUserPrincipal() == null ? "nobody" : security.getUserPrincipal().getName();
    }
}
