//! The privacy notice (个人信息处理告知) an applicant reads and consents to before submitting,
//! in both languages, versioned: each application keeps the version it was submitted under.
//! Change a word of the notice and change `NOTICE_VERSION` with it.

use rules::input::Lang;

/// The notice in force. A submission names it (the form's hidden field, the API's
/// `Consent-Notice-Version` header); any other version is refused.
pub const NOTICE_VERSION: &str = "2026-12-05";

/// How long personal information is kept, as the notice states it.
pub use store::Retention;

/// One part of the notice: a heading and its text, in both languages.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct NoticePart {
    pub title_zh: String,
    pub title_en: String,
    pub text_zh: String,
    pub text_en: String,
}

impl NoticePart {
    pub fn title(&self, lang: Lang) -> &str {
        lang.t(&self.title_zh, &self.title_en)
    }

    pub fn text(&self, lang: Lang) -> &str {
        lang.t(&self.text_zh, &self.text_en)
    }
}

fn part(title_zh: &str, title_en: &str, text_zh: String, text_en: String) -> NoticePart {
    NoticePart {
        title_zh: title_zh.into(),
        title_en: title_en.into(),
        text_zh,
        text_en,
    }
}

/// The notice's parts: who processes, why, what, how long, the applicant's rights, whom to
/// ask (PIPL arts. 17 and 30).
pub fn notice(retention: Retention) -> Vec<NoticePart> {
    let Retention {
        decided_years: years,
        withdrawn_days: days,
    } = retention;
    vec![
        part(
            "谁处理您的信息",
            "Who processes your information",
            "苏锡通科技产业园区人才工作主管部门（园区人才办）是个人信息处理者，仅园区人才办经授权的审核人员可以查看您的申请。".into(),
            "The talent office of the Su-Xi-Tong Science and Technology Industrial Park is the personal information handler; only its authorised reviewers can see your application.".into(),
        ),
        part(
            "为什么收集",
            "Why",
            "仅用于审核您申请的人才资助项目、核定金额和拨付资金，不用于其他目的，不向园区以外的单位提供（法律法规另有规定的除外）。".into(),
            "Only to review the talent subsidies you apply for, fix their amounts and pay them; for nothing else, and not given to anyone outside the park unless the law requires it.".into(),
        ),
        part(
            "收集什么",
            "What is collected",
            "您在表单中填写的全部信息，其中姓名、身份证件号码、收入、公司股权和您上传的证书、合同等扫描件属于敏感个人信息。您的姓名、证件号码、填写内容和上传的文件均加密保存；仅测算不提交时，我们不保存任何信息。".into(),
            "Everything you enter in the form. Your name, ID number, income, company shares and the certificates and contracts you upload are sensitive personal information. Your name, ID number, answers and files are stored encrypted. An estimate you do not submit is not stored at all.".into(),
        ),
        part(
            "消息通知（可选）",
            "Messages (optional)",
            "提交时您可以留下手机号码和/或电子邮箱，用于告知申请的办理进展（受理、补正、决定、公示、拨付）。消息只写申请编号，不写姓名、项目或金额；只有您勾选时才附查询链接，且只发往您留下的号码或邮箱。号码和邮箱加密保存，经园区短信平台和邮件服务器发送，与其他个人信息一同删除。不留也不影响审核，进展始终可在申请状态页面查看。".into(),
            "When applying you may give a mobile number and/or an e-mail address to be told when your application moves (acceptance, a request for materials, the decision, the public notice, payments). A message names only the application's reference — no name, program or amount — and carries the status link only if you tick that, and only to the number or address you gave. They are stored encrypted, sent through the park's SMS gateway and mail server, and erased with the rest. Giving none changes nothing in the review; the status page always shows where it stands.".into(),
        ),
        part(
            "保存多久",
            "How long",
            format!("审核完成的申请作为档案保存 {years} 年（如有尚未拨付的款项，则至拨付完毕后 {years} 年），撤回的申请保存 {days} 天；期满后姓名、证件号码、填写内容和上传的文件将被删除，只保留不能识别您的统计数字（项目、金额）。"),
            format!("A decided application is kept as an archive for {years} years (while payments are outstanding, {years} years from the last one); a withdrawn application for {days} days. After that your name, ID number, answers and files are erased; only figures that cannot identify you (programs, amounts) stay."),
        ),
        part(
            "您的权利",
            "Your rights",
            "您可以通过状态链接查看申请和您上传的文件；审核结论作出前，可随时通过状态链接撤回申请并撤回同意；如需更正信息，可在审核人员要求补充材料时提供，或联系园区人才办。".into(),
            "Through your status link you can see your application and your files, and, until it is decided, withdraw it and with it your consent. To correct something, send it when more information is asked for, or contact the talent office.".into(),
        ),
        part(
            "联系我们",
            "Contact",
            "园区人才服务窗口（地址和电话见园区官方网站），工作日受理个人信息相关的查询、更正和投诉。".into(),
            "The park's talent service desk (address and telephone on the park's official website) takes questions, corrections and complaints about personal information on working days.".into(),
        ),
    ]
}

/// Whether a submission names the notice in force.
pub fn is_current(version: &str) -> bool {
    version.trim() == NOTICE_VERSION
}
