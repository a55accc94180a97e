//! Everything badge says to AWS IAM Identity Center: sign-in, the token
//! cache shared with the AWS tools, and the portal API that lists accounts
//! and roles. It knows nothing about the config file's text.

pub mod api_log;
pub mod client;
pub mod credentials;
pub mod federation;
pub mod login;
pub mod login_state;
pub mod portal;
pub mod role_cache;
pub mod token_cache;
