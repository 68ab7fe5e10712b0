export { AppHeader } from "./components/app-header";
export { AccountMenu } from "./components/account-menu";
export { AuthProvider } from "./components/auth-provider";
export { LocalModeBanner } from "./components/local-mode-banner";
