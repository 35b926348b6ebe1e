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
    if let Some((zh, en)) = store::secrets::weak_password(&password, account) {
        return Err(format!("{en} / {zh}"));
    }
    Ok(password)
}

pub(super) fn officer(database: &DatabaseArg, command: OfficerCommand) -> ExitCode {
    use store::{Role, Store};
    run_store_command(async {
        let store = Store::open(&database.database_url, &database.keys()?)
            .await
            .map_err(|e| e.to_string())?;
        let no_account = |name: &str| format!("no account is named {name} / 没有这个账户");
        let hashed = |account: &str| -> Result<String, String> {
            store::secrets::hash_password(&read_new_password(account)?)
        };
        let done = match command {
            OfficerCommand::Add { name, role } => {
                let name = name.trim().to_string();
                if name.is_empty() || name.chars().count() > 64 {
                    return Err("a name has 1 to 64 characters / 用户名应为 1 到 64 个字符".into());
                }
                if let Some(p) = rules::applicant::unsafe_text(&name, false) {
                    return Err(format!("the name {} / 用户名{}", p.en, p.zh));
                }
                let role = match role {
                    RoleArg::Reviewer => Role::Reviewer,
                    RoleArg::Hr => Role::Hr,
                    RoleArg::Auditor => Role::Auditor,
                    RoleArg::Policy => Role::Policy,
                    RoleArg::Approver => Role::Approver,
                    RoleArg::Finance => Role::Finance,
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
    })
}

/// `data-key rotate` and `data-key check`.
pub(super) fn data_key(database: &DatabaseArg, command: super::DataKeyCommand) -> ExitCode {
    use store::{DataKey, KeySource, Store};
    run_store_command(async {
        let keys = database.keys()?;
        let url = &database.database_url;
        let store = Store::open(url, &keys).await.map_err(|e| e.to_string())?;
        match command {
            super::DataKeyCommand::Check => Ok(format!(
                "the key opens this database (fingerprint {}) / 密钥与数据库相符",
                store.key_fingerprint()
            )),
            super::DataKeyCommand::Rotate => {
                let Some(file) = keys
                    .file_for(url)
                    .filter(|_| !matches!(keys, KeySource::Given(_)))
                else {
                    return Err("rotation replaces a key file: name it with --data-key-file rather than TALENT_SUBSIDY_DATA_KEY / 轮换密钥需要密钥文件：请用 --data-key-file 指定".into());
                };
                let fresh = std::path::PathBuf::from(format!("{}.new", file.display()));
                let new = DataKey::create(&fresh).map_err(|e| e.to_string())?;
                if let Err(e) = store.rotate_key(&new).await {
                    let _ = std::fs::remove_file(&fresh);
                    return Err(format!("nothing changed / 未作任何更改: {e}"));
                }
                store.close().await;
                let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
                let retired =
                    std::path::PathBuf::from(format!("{}.retired-{stamp}", file.display()));
                std::fs::rename(&file, &retired)
                    .and_then(|()| std::fs::rename(&fresh, &file))
                    .map_err(|e| format!("the database now uses the key in {} but the files could not be renamed ({e}): move it to {} yourself / 数据库已改用 {} 中的新密钥，但文件改名失败，请手动改名", fresh.display(), file.display(), fresh.display()))?;
                Ok(format!(
                    "re-encrypted with a new key (fingerprint {}), now in {}; the old key is in {}: keep it only as long as backups made before now, then destroy it / 已用新密钥重新加密；旧密钥在 {}，仅为此前的备份保留",
                    new.fingerprint(),
                    file.display(),
                    retired.display(),
                    retired.display()
                ))
            }
        }
    })
}

/// Runs a command that works on the database: prints what it says (nothing when it says
/// nothing) and exits 0, or prints its error and exits 1 (2 when no runtime can be made).
fn run_store_command(work: impl std::future::Future<Output = Result<String, String>>) -> ExitCode {
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
    match runtime.block_on(work) {
        Ok(said) => {
            if !said.is_empty() {
                println!("{said}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("talent-subsidy: {e}");
            ExitCode::from(1)
        }
    }
}
