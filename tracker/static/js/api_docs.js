// The API page: Swagger UI over the generated OpenAPI document. Requests made from the page
// ride on the signed-in session, so they carry the page's CSRF token like every form does.
(function () {
  "use strict";
  var mount = document.getElementById("api-docs");
  if (!mount || typeof window.SwaggerUIBundle !== "function") { return; }
  var token = document.querySelector('meta[name="csrf-token"]');
  window.SwaggerUIBundle({
    url: mount.getAttribute("data-spec"),
    domNode: mount,
    deepLinking: true,
    requestInterceptor: function (request) {
      if (token) { request.headers["X-CSRFToken"] = token.getAttribute("content"); }
      return request;
    }
  });
})();
