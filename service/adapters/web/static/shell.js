// The staff shell on every staff page: navigation words, the administration link in the
// page's language, and Alt+1..9 to jump to the first nine staff pages from the keyboard.
import "./shell-words.js";
import { ApiError, notice } from "./api.js";
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

// One sign-in for every client-rendered staff page: the page gives its Api and what to do
// once signed in; the form, the sign-out button, the "who" line and the error show here.
// `accept(session)` may refuse a signed-in role with a message (the token is then revoked);
// `reveal: false` leaves #work hidden for pages that show it once their data is in.
export function staffSession(api, { onWork, onSignOut = () => {}, accept = () => null,
                                    reveal = true }) {
  const $ = (id) => document.getElementById(id);
  function showSignIn() {
    $("signin-form").hidden = false;
    $("work").hidden = true;
    $("signout").hidden = true;
    $("who").textContent = "";
    $("username").focus();
  }
  function showWork() {
    $("signin-form").hidden = true;
    if (reveal) $("work").hidden = false;
    $("signout").hidden = false;
    $("who").textContent = `${api.session.name} · ${api.session.role}`;
    return onWork(api.session);
  }
  $("signin-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      await api.signIn({ username: $("username").value.trim(), password: $("password").value });
      $("password").value = "";
      $("signin-msg").replaceChildren();
      const refusal = accept(api.session);
      if (refusal) {
        api.signOut();
        notice($("signin-msg"), "bad", refusal);
        return;
      }
      await showWork();
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      notice($("signin-msg"), "bad", e.text(), e.body.code);
    }
  });
  $("signout").addEventListener("click", () => { api.signOut(); onSignOut(); showSignIn(); });
  return {
    showSignIn,
    start() {  // on load: a kept session goes straight to work if its role is accepted
      if (api.session && !accept(api.session)) return showWork();
      showSignIn();
      return undefined;
    },
  };
}
