# carol: the account, and (through the host's homeProfile) the home-manager profile.
{
  axios.users.users."carol" = {
    fullName = "Carol Q";
    isAdmin = true;
    # set a password with `passwd` after the first boot, or hashedPasswordFile
  };
}
