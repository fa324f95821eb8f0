// Luodi's own behaviour on top of htmx. Kept in a static file: the CSP allows no inline script.
document.addEventListener("htmx:responseError", (event) => {
  const status = event.detail.xhr ? event.detail.xhr.status : 0;
  if (status >= 500) {
    window.alert(document.documentElement.lang.startsWith("zh")
      ? "服务器出错，已记录。请稍后再试。" : "Server error; it has been logged. Please try again.");
  }
});

// One menu drop-down open at a time; a click elsewhere closes it.
document.addEventListener("click", (event) => {
  document.querySelectorAll("details.navgroup[open]").forEach((group) => {
    if (!group.contains(event.target)) group.removeAttribute("open");
  });
});
