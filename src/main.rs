//! badge: switch AWS profiles in your shell, for AWS IAM Identity Center users.

fn main() -> std::process::ExitCode {
    badge::whole()
}
