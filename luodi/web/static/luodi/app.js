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

// Type-ahead for long lists (Tom Select, from npm): a plain select of 163 achievements, 121
// organizations or 682 areas cannot be read. Short selects stay native (phones handle those
// best). htmx:load fires for the page and for every fragment htmx swaps in.
const TYPEAHEAD_MIN_OPTIONS = 12;
const TYPEAHEAD_TEXT = {
  zh: { none: "没有匹配的选项", hint: "输入文字筛选" },
  en: { none: "No matching option", hint: "Type to filter" },
};

function enhanceSelects(root) {
  if (typeof window.TomSelect !== "function" || !root.querySelectorAll) return;
  const text = TYPEAHEAD_TEXT[document.documentElement.lang.startsWith("zh") ? "zh" : "en"];
  root.querySelectorAll("select").forEach((select) => {
    if (select.tomselect || select.options.length < TYPEAHEAD_MIN_OPTIONS) return;
    if (select.dataset.native !== undefined) return;
    const ts = new window.TomSelect(select, {
      maxOptions: null,
      // The empty choice ("---------") is the placeholder, not an item; an optional field
      // is emptied again with the clear button.
      allowEmptyOption: false,
      plugins: select.multiple ? ["remove_button"] : select.required ? [] : ["clear_button"],
      placeholder: text.hint,
      render: {
        no_results: () => {
          const div = document.createElement("div");
          div.className = "no-results";
          div.textContent = text.none;
          return div;
        },
      },
    });
    // Tests and keyboard users find the control by the select's test id.
    if (select.dataset.testid) ts.control_input.dataset.testid = `${select.dataset.testid}-input`;
  });
}
document.addEventListener("htmx:load", (event) => enhanceSelects(event.detail.elt));
