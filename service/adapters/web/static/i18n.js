// Every label in zh-CN and en; elements carry data-i18n="key" (or data-i18n-ph for placeholders).
const WORDS = {
  "app.desk": ["前台借还", "Front desk"],
  "app.portal": ["我的图书馆", "My library"],
  "app.mailbox": ["本地信箱", "Local mailbox"],
  "mailbox.title": ["已投递到本地信箱的通知", "Notices delivered to the local mailbox"],
  "mailbox.about": ["未配置邮件服务器（SMTP）时，发给读者的通知投递到这里，供工作人员查看。",
                    "With no mail server (SMTP) configured, notices to readers are delivered here for staff to read."],
  "mailbox.reader_ph": ["按读者证号或读者编号筛选", "Filter by card number or reader id"],
  "mailbox.filter": ["筛选", "Filter"],
  "mailbox.count": ["共 {n} 封", "{n} message(s)"],
  "mailbox.empty": ["信箱是空的。", "The mailbox is empty."],
  "mailbox.to": ["收件人", "to"],
  "mailbox.prev": ["上一页", "Previous"],
  "mailbox.next": ["下一页", "Next"],
  "signin.title": ["登录", "Sign in"],
  "signin.username": ["工作人员账号", "Staff username"],
  "signin.password": ["密码", "Password"],
  "signin.card": ["读者证号", "Card number"],
  "signin.pin": ["密码（PIN）", "PIN"],
  "signin.submit": ["登录", "Sign in"],
  "signout": ["退出", "Sign out"],
  "desk.card": ["扫描读者证", "Scan reader card"],
  "desk.card_ph": ["读者证号", "Card number"],
  "desk.show": ["查询", "Look up"],
  "desk.reader": ["读者", "Reader"],
  "desk.no_reader": ["请先扫描读者证。", "Scan a reader card first."],
  "desk.not_found": ["未找到该读者证。", "No reader with this card."],
  "desk.lend": ["借出", "Lend"],
  "desk.lend_ph": ["图书条码", "Item barcode"],
  "desk.lent": ["已借出，应还日期", "Lent, due on"],
  "desk.return": ["归还", "Return"],
  "desk.return_ph": ["扫描归还图书条码", "Scan returned item barcode"],
  "desk.fine": ["逾期罚款", "Late fine"],
  "desk.loans": ["当前借阅", "Current loans"],
  "stat.loans": ["在借", "On loan"],
  "stat.overdue": ["逾期", "Overdue"],
  "stat.holds": ["预约", "Holds"],
  "stat.fines": ["欠款", "Fines owed"],
  "stat.ok": ["可以借阅", "May borrow"],
  "stat.blocked": ["已暂停借阅", "Borrowing blocked"],
  "block.manual": ["图书馆已暂停此证", "Blocked by the library"],
  "block.fines_over_threshold": ["欠款超过上限", "Fines over the limit"],
  "block.overdue_too_long": ["图书逾期过久", "Items overdue too long"],
  "block.card_expired": ["读者证已过期", "Card expired"],
  "col.title": ["题名", "Title"],
  "col.barcode": ["条码", "Barcode"],
  "col.due": ["应还日期", "Due"],
  "col.renewals": ["已续借", "Renewed"],
  "renew": ["续借", "Renew"],
  "renewed": ["已续借，新的应还日期", "Renewed, now due on"],
  "due": ["应还", "Due"],
  "overdue_days": ["已逾期 {n} 天", "{n} days overdue"],
  "no_loans": ["没有在借图书。", "No loans."],
  "tab.loans": ["我的借阅", "My loans"],
  "tab.holds": ["我的预约", "My holds"],
  "tab.search": ["检索预约", "Search"],
  "tab.feedback": ["意见反馈", "Feedback"],
  "tab.history": ["借阅历史", "History"],
  "holds.none": ["没有预约。", "No holds."],
  "volume": ["卷期", "Volume"],
  "holds.position": ["排队第 {n} 位", "Position {n} in the queue"],
  "holds.ready": ["已到馆，请于 {d} 前到 {b} 取书", "Ready at {b} until {d}"],
  "holds.cancel": ["取消预约", "Cancel"],
  "holds.cancelled": ["预约已取消。", "Hold cancelled."],
  "search.ph": ["题名、作者、主题、拼音或 ISBN", "Title, author, subject, pinyin or ISBN"],
  "search.go": ["检索", "Search"],
  "search.none": ["没有找到相关图书。", "Nothing found."],
  "search.available": ["可借 {n} 册", "{n} available"],
  "search.waiting": ["{n} 人排队", "{n} waiting"],
  "search.pickup": ["取书地点", "Pick up at"],
  "search.reserve": ["预约", "Reserve"],
  "search.any_volume": ["任意一卷", "Any volume"],
  "search.reserved": ["预约成功。", "Hold placed."],
  "branch.main": ["总馆", "Main library"],
  "branch.east": ["东区分馆", "East branch"],
  "branch.west": ["西区分馆", "West branch"],
  "fb.new": ["提交意见", "Send feedback"],
  "fb.category": ["类别", "Category"],
  "fb.cat.service": ["服务", "Service"],
  "fb.cat.collection": ["馆藏", "Collection"],
  "fb.cat.facility": ["设施", "Facilities"],
  "fb.cat.other": ["其他", "Other"],
  "fb.text": ["内容", "Your message"],
  "fb.rating": ["评分", "Rating"],
  "fb.submit": ["提交", "Send"],
  "fb.sent": ["感谢您的反馈！", "Thank you for your feedback!"],
  "fb.mine": ["我的反馈", "My feedback"],
  "fb.none": ["还没有反馈。", "No feedback yet."],
  "fb.answer": ["图书馆回复", "Library's answer"],
  "fb.status.open": ["待回复", "Open"],
  "fb.status.answered": ["已回复", "Answered"],
  "fb.status.closed": ["已关闭", "Closed"],
  "history.none": ["暂无借阅历史。", "No reading history."],
  "history.off": ["您已关闭借阅历史记录。", "You have turned reading history off."],
  "history.returned": ["归还于", "Returned"],
  "history.borrowed": ["借于", "Borrowed"],
  "error": ["出错了", "Something went wrong"],
  "error.network": ["无法连接服务器。", "Cannot reach the server."],
  "error.session": ["登录已过期，请重新登录。", "Your session has expired; please sign in again."],
};

const KEY = "lector.lang";

/** Add a page's own words (e.g. portal-words.js) to the shared dictionary. */
export function addWords(words) {
  Object.assign(WORDS, words);
}

export function lang() {
  return sessionStorage.getItem(KEY) || "zh-CN";
}

export function setLang(value) {
  sessionStorage.setItem(KEY, value);
  document.documentElement.lang = value;
  applyLabels();
}

/** The word for key in the current language, with {name} placeholders filled. */
export function t(key, vars = {}) {
  const pair = WORDS[key];
  let text = pair ? pair[lang() === "en" ? 1 : 0] : key;
  for (const [name, value] of Object.entries(vars)) text = text.replace(`{${name}}`, value);
  return text;
}

/** Pick the zh or en variant of a message the API sent. */
export function pick(zh, en) {
  return lang() === "en" ? (en || zh) : (zh || en);
}

export function applyLabels(root = document) {
  root.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
  root.querySelectorAll("[data-i18n-ph]").forEach((el) => { el.placeholder = t(el.dataset.i18nPh); });
}

/** Wire a <select> to switch languages; onChange re-renders dynamic content. */
export function languageSwitch(select, onChange) {
  select.value = lang();
  document.documentElement.lang = lang();
  applyLabels();
  select.addEventListener("change", () => { setLang(select.value); onChange(); });
}

/** An amount of fen in CLDR form, as service/domain/locale.py shows it: "¥12.30" / "CN¥12.30". */
export function money(fen) {
  // Intl carries the same CLDR data as Babel; the division is exact for any real amount.
  return new Intl.NumberFormat(lang(), { style: "currency", currency: "CNY" }).format(fen / 100);
}
