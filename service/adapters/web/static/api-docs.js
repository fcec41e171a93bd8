// Starts Swagger UI on /api/v1/docs from the app's own copy (vendor/swagger-ui).
// Kept out of the page so a Content-Security-Policy without 'unsafe-inline' allows it.
"use strict";
(function () {
  var root = document.getElementById("swagger-ui");
  window.ui = window.SwaggerUIBundle({
    url: root.dataset.specUrl,
    domNode: root,
    deepLinking: true,
    persistAuthorization: false,
    // The default would load a badge from validator.swagger.io: no request leaves the app.
    validatorUrl: null,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    // Tags start folded: with every operation unfolded at once (160+) this Swagger UI stops
    // rendering part-way through the list; a librarian opens the tag they need.
    docExpansion: "none",
  });
})();
