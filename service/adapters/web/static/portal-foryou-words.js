// Words of the portal's "for you" view, "also borrowed" and the reading year (zh-CN, en).
import { addWords } from "./i18n.js";
addWords({
  "view.foryou": ["为你推荐", "For you"], "nav.foryou": ["为你推荐", "For you"],
  "foryou.item_knn": ["根据你借过的书，借过相同书的读者还借了这些：", "Readers who borrowed what you borrowed also borrowed these:"],
  "foryou.popular": ["近来大家常借的书（借满 3 本后会按你的喜好推荐）：", "What readers borrow most (after 3 books the list follows your own reading):"],
  "foryou.history_off": ["你已关闭借阅历史，因此这里只显示大家常借的书，不会根据你的借阅推荐。", "Your reading history is off, so this is what readers borrow most; nothing here comes from your own loans."],
  "foryou.on_shelf": ["本馆在架", "On the shelf at your branch"], "foryou.none": ["暂无推荐", "Nothing to suggest yet"],
  "foryou.also": ["借过这本书的读者还借了", "Readers who borrowed this also borrowed"],
  "foryou.also_none": ["暂无（至少两位读者共同借过才会显示）", "Nothing yet (shown once at least two readers share a pair)"],
  "foryou.readers": ["{n} 位读者", "{n} readers"],
  "year.title": ["我的阅读年度", "My reading year"], "year.show": ["生成我的阅读年度", "Show my reading year"],
  "year.about": ["仅在你需要时根据你的借阅历史生成，不会给馆员看。", "Made from your reading history only when you ask; staff never see it."],
  "year.books": ["{n} 本书", "{n} books"], "year.pages": ["{n} 页", "{n} pages"],
  "year.month": ["最忙的月份：{m}", "Busiest month: {m}"], "year.streak": ["最长连续借阅：{n} 周", "Longest streak: {n} weeks in a row"],
  "year.first_last": ["第一本《{a}》，最后一本《{b}》", "First: {a}; last: {b}"],
  "year.favourite": ["年度最爱《{t}》，还有 {n} 位读者也读过", "Favourite: {t}; {n} other readers also read it"],
  "year.classes": ["最爱的分类：{c}", "Favourite classes: {c}"], "year.authors": ["最爱的作者：{a}", "Favourite authors: {a}"],
  "year.image": ["年度海报", "Year portrait"], "year.download": ["下载图片", "Download image"],
  "year.share": ["分享", "Share"], "year.empty": ["这一年没有借阅", "No loans in this year"],
});
