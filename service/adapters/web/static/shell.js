// The staff shell on every staff page: navigation words, the administration link in the
// page's language, and Alt+1..9 to jump to the first nine staff pages from the keyboard.
import "./shell-words.js";
import { lang } from "./i18n.js";

function syncAdminLink() {
  const select = document.getElementById("lang");
  const admin = document.querySelector(".staff-nav a[data-nav=admin]");
  if (select && admin) admin.href = `/admin?lang=${encodeURIComponent(select.value || lang())}`;
}

document.addEventListener("DOMContentLoaded", () => {
  const select = document.getElementById("lang");
  if (select) select.addEventListener("change", syncAdminLink);
  syncAdminLink();
});

document.addEventListener("keydown", (ev) => {
  if (!ev.altKey || ev.ctrlKey || ev.metaKey) return;
  const n = Number(ev.key);
  const links = [...document.querySelectorAll(".staff-nav a")];
  if (n >= 1 && n <= links.length) {
    ev.preventDefault();
    links[n - 1].click();
  }
});
