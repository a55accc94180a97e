//! The organisation the emulator serves: accounts and the roles (permission
//! sets) the signed-in user is assigned in each.

/// One AWS account and the roles the user may assume in it, in the order
/// ListAccountRoles returns them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub id: String,
    pub name: String,
    pub email: String,
    pub roles: Vec<String>,
}

impl Account {
    /// An account with an email address derived from its id.
    pub fn new(id: &str, name: &str, roles: &[&str]) -> Account {
        Account {
            id: id.to_string(),
            name: name.to_string(),
            email: format!("aws+{id}@example.com"),
            roles: roles.iter().map(|r| r.to_string()).collect(),
        }
    }
}

/// Accounts in the order ListAccounts returns them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Org {
    pub accounts: Vec<Account>,
}

/// Kinds of account a real organisation has; names cycle through them.
const KINDS: [&str; 10] = [
    "Production",
    "Staging",
    "Development",
    "Sandbox",
    "Shared Services",
    "Security",
    "Log Archive",
    "Data Platform",
    "Networking",
    "Analytics",
];

/// Permission set names. Every generated account has the first; the others
/// rotate with the account's index so that accounts differ.
pub const ROLES: [&str; 10] = [
    "AdministratorAccess",
    "ReadOnlyAccess",
    "PowerUserAccess",
    "DeveloperAccess",
    "BillingAccess",
    "SecurityAudit",
    "ViewOnlyAccess",
    "DatabaseAdministrator",
    "NetworkAdministrator",
    "SupportUser",
];

/// Account names that break naive profile naming, shell quoting or INI
/// writing. `Team A` and `Team-A` collide once sanitised to SDK-safe
/// characters; `Duplicate Name` appears twice (AWS allows that).
pub const ODD_NAMES: [&str; 16] = [
    "Acme \"Prod\" (EU)",
    "Café Ünïcode 中文",
    "semi;colon",
    "dollar $(x)",
    "back`tick`",
    "Team A",
    "Team-A",
    "trailing space ",
    "  leading spaces",
    "single 'quote'",
    "emoji 🚀 rocket",
    "slash/and\\backslash",
    "percent %s 100%",
    "Duplicate Name",
    "Duplicate Name",
    "[section] = value # not a comment",
];

/// A permission set name using every punctuation mark AWS allows in one
/// (`[\w+=,.@-]+`).
pub const ODD_ROLE: &str = "Ops+Admin@eu,v=2.0-x_y";

impl Org {
    pub fn new(accounts: Vec<Account>) -> Org {
        Org { accounts }
    }

    /// A deterministic organisation: `accounts` accounts named like
    /// `Staging 001`, each with `roles_per_account` roles (see [`ROLES`];
    /// beyond ten, `CustomRole11`...). Ids are distinct 12-digit numbers
    /// that do not follow the order. With `odd_names`, the names of
    /// [`ODD_NAMES`] replace generated ones at positions spread over the
    /// list (so they land on different pages), and [`ODD_ROLE`] replaces the last
    /// role of the first account when it has at least two.
    pub fn generated(accounts: usize, roles_per_account: usize, odd_names: bool) -> Org {
        let mut list: Vec<Account> = (0..accounts)
            .map(|i| {
                let kind = KINDS[i % KINDS.len()];
                let slug = kind.to_lowercase().replace(' ', "-");
                Account {
                    id: account_id(i),
                    name: format!("{kind} {i:03}"),
                    email: format!("aws+{slug}-{i:03}@example.com"),
                    roles: (0..roles_per_account).map(|k| role_name(i, k)).collect(),
                }
            })
            .collect();
        if odd_names && accounts > 0 {
            let count = ODD_NAMES.len().min(accounts);
            for (j, name) in ODD_NAMES.iter().take(count).enumerate() {
                list[j * accounts / count].name = name.to_string();
            }
            if list[0].roles.len() >= 2 {
                let last = list[0].roles.len() - 1;
                list[0].roles[last] = ODD_ROLE.to_string();
            }
        }
        Org { accounts: list }
    }

    pub fn account(&self, id: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.id == id)
    }

    /// Every (account, role) pair, in listing order.
    pub fn assignments(&self) -> impl Iterator<Item = (&Account, &str)> {
        self.accounts
            .iter()
            .flat_map(|a| a.roles.iter().map(move |r| (a, r.as_str())))
    }

    pub fn assignment_count(&self) -> usize {
        self.accounts.iter().map(|a| a.roles.len()).sum()
    }
}

/// A bijection from index to 12-digit ids (the multiplier is coprime with
/// the range), so ids are unique and look random.
fn account_id(index: usize) -> String {
    const RANGE: u64 = 900_000_000_000;
    let n = (index as u64 % RANGE) * 7_919_000_003 % RANGE;
    format!("{}", 100_000_000_000 + (n + 123_456_789_012) % RANGE)
}

fn role_name(account: usize, k: usize) -> String {
    match k {
        0 => ROLES[0].to_string(),
        k if k < ROLES.len() => ROLES[1 + (account + k - 1) % (ROLES.len() - 1)].to_string(),
        k => format!("CustomRole{k:02}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn generated_org_is_deterministic_with_unique_ids_and_roles() {
        let org = Org::generated(1000, 12, false);
        assert_eq!(org, Org::generated(1000, 12, false));
        assert_eq!(org.assignment_count(), 12_000);
        let ids: HashSet<&str> = org.accounts.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids.len(), 1000);
        assert!(
            ids.iter()
                .all(|id| id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()))
        );
        for account in &org.accounts {
            let roles: HashSet<&String> = account.roles.iter().collect();
            assert_eq!(roles.len(), 12, "{account:?}");
            assert_eq!(account.roles[0], "AdministratorAccess");
        }
        assert_eq!(org.accounts[42].name, "Development 042");
        assert_eq!(org.accounts[42].email, "aws+development-042@example.com");
    }

    #[test]
    fn odd_names_are_spread_and_all_present() {
        let org = Org::generated(300, 3, true);
        let names: Vec<&str> = org.accounts.iter().map(|a| a.name.as_str()).collect();
        for odd in ODD_NAMES {
            assert!(names.contains(&odd), "{odd}");
        }
        assert_eq!(names.iter().filter(|n| **n == "Duplicate Name").count(), 2);
        assert_eq!(org.accounts[0].roles[2], ODD_ROLE);
        let small = Org::generated(3, 1, true);
        assert_eq!(small.accounts[2].name, ODD_NAMES[2]);
    }
}
