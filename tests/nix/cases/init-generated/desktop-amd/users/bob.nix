# bob: the account, and (through the host's homeProfile) the home-manager profile.
{
  axios.users.users."bob" = {
    fullName = "Zoë \"Z\" O'Neil \${HOME} \\ $x";
    email = "bob@example.org";
    isAdmin = true;
    # set a password with `passwd` after the first boot, or hashedPasswordFile
  };
}
