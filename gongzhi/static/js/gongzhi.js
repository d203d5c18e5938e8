// Site-wide behaviour, kept out of the HTML so that the Content-Security-Policy needs no 'unsafe-inline'.
(function () {
  "use strict";
  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  // htmx 2: send the CSRF token from a listener rather than an inherited hx-headers attribute (htmx 4 ready).
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = csrfToken();
  });
  // Ask before destructive actions: <form data-confirm="...">.
  document.addEventListener("submit", function (event) {
    const message = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  }, true);
})();
