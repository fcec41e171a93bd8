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
  "app.reader360": ["读者概览", "Reader 360"],
  "r360.none": ["无", "None"],
  "r360.yes": ["是", "Yes"],
  "r360.no": ["否", "No"],
  "r360.category": ["读者类型", "Category"],
  "r360.phone": ["电话", "Phone"],
  "r360.email": ["电子邮箱", "E-mail"],
  "r360.language": ["语言", "Language"],
  "r360.channels": ["通知方式", "Notice channels"],
  "r360.keep_history": ["保留借阅历史", "Keeps reading history"],
  "r360.expires": ["有效期至", "Card expires"],
  "r360.block": ["人工封禁", "Manual block"],
  "r360.now": ["当前", "Now"],
  "r360.loans": ["在借", "Loans"],
  "r360.overdue": ["逾期", "Overdue"],
  "r360.holds": ["预约", "Holds"],
  "r360.fines": ["欠款", "Fines owed"],
  "r360.due": ["应还", "due"],
  "r360.activity": ["借阅活动", "Activity"],
  "r360.lifetime": ["累计借阅", "Lifetime loans"],
  "r360.year": ["近 12 个月借阅", "Loans in 12 months"],
  "r360.last": ["最近活动", "Last activity"],
  "r360.favourites": ["常借类别", "Favourite classes"],
  "r360.private": ["读者关闭了借阅历史：不按其借阅的书目分析。", "Reading history is off: not profiled from their titles."],
  "r360.segment": ["读者分群", "Segment"],
  "r360.no_segment": ["尚未分群（每晚更新）。", "Not segmented yet (refreshed nightly)."],
  "r360.risk": ["流失风险", "Lapse risk"],
  "r360.inactive": ["近一年没有借阅，不计算流失风险。", "No loan in the last year: no lapse risk is computed."],
  "r360.risk_about": ["未来 {days} 天不再借阅的可能性（{served}）", "Chance of no loan in the next {days} days ({served})"],
  "r360.served_rule": ["按最近借阅规则", "recency rule"],
  "r360.served_model": ["逻辑回归模型", "logistic regression"],
  "r360.voice": ["反馈与荐购", "Feedback and suggestions"],
  "r360.notices": ["已发通知（{n}）", "Notices sent ({n})"],
  "r360.timeline": ["时间线（{n}）", "Timeline ({n})"],
  "r360.position": ["截至日志位置 {n}", "As of log position {n}"],
  "seg.champions": ["核心读者", "Champions"],
  "seg.loyal": ["忠实读者", "Loyal"],
  "seg.new": ["新读者", "New"],
  "seg.promising": ["潜力读者", "Promising"],
  "seg.at_risk": ["流失预警", "At risk"],
  "seg.hibernating": ["沉睡读者", "Hibernating"],
  "seg.lost": ["已流失", "Lost"],
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

/** The named reader segments, best first (docs/readers.md); their words are seg.<name>. */
export const SEGMENTS = ["champions", "loyal", "new", "promising", "at_risk", "hibernating", "lost"];

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

