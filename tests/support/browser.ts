import { chromium, type Browser } from "@playwright/test";
import { chromiumLaunchOptions } from "./chromium";

export async function launchChromium(): Promise<Browser> {
  return chromium.launch(chromiumLaunchOptions());
}
