# Shared by every host: the user and her home-manager settings.
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
