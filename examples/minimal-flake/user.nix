# The people who use this machine, and their home-manager settings (the
# `homeProfile` module is added to every home-manager user).
{
  axios.users.users.alice = {
    fullName = "Alice Liddell";
    email = "alice@example.org";
    isAdmin = true;
  };
  home-manager.users.alice = {
    home.stateVersion = "25.11";
  };
}
