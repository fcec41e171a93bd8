// The teacher's class page words in zh-CN and en (added to i18n.js's dictionary).
import { addWords } from "./i18n.js";
addWords({
  "app.classes": ["班级书单", "Classes"],
  "cls.mine": ["我的班级", "My classes"],
  "cls.pick": ["班级", "Class"],
  "cls.none": ["还没有班级。", "No class yet."],
  "cls.about": ["{s} · {n} 名学生 · 书单：{l}", "{s} · {n} pupils · list: {l}"],
  "cls.progress": ["阅读进度", "Reading progress"],
  "cls.pupil": ["学生", "Pupil"],
  "cls.totals": ["在借 / 已还", "Borrowed / returned"],
  "cls.st.borrowed": ["在借", "Borrowed"],
  "cls.st.returned": ["已还", "Returned"],
  "cls.st.not_started": ["未借", "Not yet"],
  "cls.reserve": ["班级到馆批量预约", "Reserve the list for a class visit"],
  "cls.reserve_about": ["为书单中的每种书预约一册，由班级借书证在所选分馆取书；每种书单独成功或被拒。",
                        "Places one hold per title for the class card at the branch; each title succeeds or is refused on its own."],
  "cls.branch": ["取书分馆", "Pickup branch"],
  "cls.reserve_go": ["批量预约", "Reserve all"],
  "cls.placed": ["已预约", "Reserved"],
  "cls.reserved": ["已预约 {ok} 种，{no} 种未能预约。", "{ok} reserved, {no} refused."],
  "cls.not_teacher": ["此页面供教师使用。", "This page is for teachers."],
});
