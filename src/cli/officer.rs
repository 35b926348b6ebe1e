//! `talent-subsidy officer`: accounts of the console, created and changed on the server.

use super::{DatabaseArg, OfficerCommand, RoleArg};
use std::process::ExitCode;

/// Reads a new password for `account`: twice at a terminal, or one line of standard input.
/// A weak one is refused, saying why.
fn read_new_password(account: &str) -> Result<String, String> {
    use std::io::IsTerminal;
    let password = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password / 密码: ").map_err(|e| e.to_string())?;
        let again =
            rpassword::prompt_password("Again / 再输入一次: ").map_err(|e| e.to_string())?;
        if first != again {
            return Err("the two passwords differ / 两次输入的密码不一致".into());
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        line.trim_end_matches(['\r', '\n']).to_string()
    };
    if let Some((zh, en)) = crate::secrets::weak_password(&password, account) {
        return Err(format!("{en} / {zh}"));
    }
    Ok(password)
}

pub(super) fn officer(database: &DatabaseArg, command: OfficerCommand) -> ExitCode {
    use crate::store::{Role, Store};
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("talent-subsidy: {e}");
            return ExitCode::from(2);
        }
    };
    let result: Result<String, String> = runtime.block_on(async {
        let store = Store::open(&database.database_url)
            .await
            .map_err(|e| e.to_string())?;
        let no_account = |name: &str| format!("no account is named {name} / 没有这个账户");
        let hashed = |account: &str| -> Result<String, String> {
            crate::secrets::hash_password(&read_new_password(account)?)
        };
        let done = match command {
            OfficerCommand::Add { name, role } => {
                let name = name.trim().to_string();
                if name.is_empty() || name.chars().count() > 64 {
                    return Err("a name has 1 to 64 characters / 用户名应为 1 到 64 个字符".into());
                }
                if let Some(p) = crate::applicant::unsafe_text(&name, false) {
                    return Err(format!("the name {} / 用户名{}", p.en, p.zh));
                }
                let role = match role {
                    RoleArg::Reviewer => Role::Reviewer,
                    RoleArg::Hr => Role::Hr,
                };
                if store
                    .add_officer(&name, role, &hashed(&name)?)
                    .await
                    .map_err(|e| e.to_string())?
                {
                    format!("added {name} ({})", role.id())
                } else {
                    return Err(format!("{name} exists already / 用户名已存在"));
                }
            }
            OfficerCommand::Disable { name } => {
                if !store
                    .set_disabled(&name, true)
                    .await
                    .map_err(|e| e.to_string())?
                {
                    return Err(no_account(&name));
                }
                format!("disabled {name}; its sessions are ended")
            }
            OfficerCommand::Enable { name } => {
                if !store
                    .set_disabled(&name, false)
                    .await
                    .map_err(|e| e.to_string())?
                {
                    return Err(no_account(&name));
                }
                format!("enabled {name}")
            }
            OfficerCommand::Password { name } => {
                if !store
                    .set_password(&name, &hashed(&name)?)
                    .await
                    .map_err(|e| e.to_string())?
                {
                    return Err(no_account(&name));
                }
                format!("new password set for {name}; its sessions are ended")
            }
            OfficerCommand::List => store
                .officers()
                .await
                .map_err(|e| e.to_string())?
                .iter()
                .map(|o| {
                    format!(
                        "{}\t{}\t{}\t{}",
                        o.name,
                        o.role.id(),
                        if o.disabled { "disabled" } else { "enabled" },
                        o.created_at
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
        };
        store.close().await;
        Ok(done)
    });
    match result {
        Ok(msg) => {
            if !msg.is_empty() {
                println!("{msg}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("talent-subsidy: {e}");
            ExitCode::from(1)
        }
    }
}
