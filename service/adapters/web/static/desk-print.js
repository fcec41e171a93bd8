// Printed slips through the browser's print dialog: the hold slip and the reader's receipt.
import { h } from "./api.js";
import { t } from "./i18n.js";

function printNow(title, rows, foot) {
  const box = document.getElementById("print-slip");
  box.replaceChildren(h("h2", {}, title),
    h("dl", {}, rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])), foot || "");
  document.body.classList.add("printing");
  window.print();
  document.body.classList.remove("printing");
}

/** A hold slip for the copy set aside: reader (name, card), pickup branch, deadline. */
export function printHoldSlip(answer, branchName, dateText) {
  printNow(t("slip.hold"), [
    [t("col.title"), `${answer.title || ""} (${answer.barcode})`],
    [t("slip.reader"), `${answer.hold_reader_name || ""} · ${answer.hold_reader_card || ""}`],
    [t("slip.pickup"), branchName(answer.pickup_branch)],
    [t("slip.deadline"), dateText(answer.pickup_by)],
  ]);
}

/** The reader's receipt of today's loans with their due dates. */
export function printReceipt(reader, loans, dateText, today) {
  const lent = loans.filter((ln) => ln.opened_at && new Date(ln.opened_at).toLocaleDateString("sv") >= today);
  const list = lent.length
    ? h("ol", {}, lent.map((ln) => h("li", {}, `${ln.title || ln.title_id} (${ln.barcode}) · ${t("slip.due")} ${dateText(ln.due_on)}`)))
    : h("p", {}, t("slip.none"));
  printNow(t("slip.receipt"), [[t("slip.reader"), `${reader.name || ""} · ${reader.card_number}`],
    [t("slip.today"), String(lent.length)]], list);
  return lent.length;
}
