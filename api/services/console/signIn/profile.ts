/** Who a sign-in provider says signed in. `email` is only trusted when `emailVerified`. */
export type ProviderProfile = { subject: string; email: string | null; emailVerified: boolean };
