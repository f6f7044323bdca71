# alice: the account, and (through the host's homeProfile) the home-manager profile.
{
  axios.users.users."alice" = {
    fullName = "alice";
    isAdmin = true;
    # set a password with `passwd` after the first boot, or hashedPasswordFile
  };
}
