// The staff shell's own words (navigation), added to i18n.js's dictionary.
import { addWords } from "./i18n.js";

addWords({
  "nav.desk": ["前台借还", "Front desk"],
  "nav.reports": ["报表", "Reports"],
  "nav.activities": ["活动与调查", "Activities"],
  "nav.campaigns": ["推广", "Campaigns"],
  "nav.classes": ["班级书单", "Classes"],
  "nav.readers": ["读者", "Readers"],
  "nav.admin": ["系统管理", "Administration"],
  "nav.mailbox": ["本地信箱", "Mailbox"],
  "nav.api": ["接口文档", "API docs"],
  "nav.portal": ["读者门户", "Reader portal"],
  "shell.skip": ["跳到正文", "Skip to content"],
});
