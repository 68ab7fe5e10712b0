import { describe, expect, it } from "vitest";
import { boundsHeap, heapMegabytesFor, heapPercentageOf, memoryMegabytes } from "../../../scripts/heap-size";
import { itWith } from "./absent";
import { copyOf, heapRules, instanceMemory, loadDeployFiles, presentPlatforms } from "./rules";

const files = loadDeployFiles();

describe("the V8 heap, sized to the instance", () => {
  it("follows every rule", () => {
    expect(heapRules(files)).toEqual([]);
  });

  it("knows the memory of every instance the manifests name", () => {
    const expected = {
      fly: { "fly [[vm]] app, worker": 512 },
      render: { "render web plan starter": 512, "render worker plan starter": 512 },
      compose: { "compose app memory limit": 768, "compose worker memory limit": 512 },
      railway: {},
    };
    expect(instanceMemory(files)).toEqual(
      Object.assign({}, ...presentPlatforms(files).map((platform) => expected[platform])),
    );
  });

  it("fails when the image does not size the heap", () => {
    const broken = copyOf(files);
    const runner = broken.dockerfile.stages.at(-1)!;
    runner.instructions = runner.instructions.filter(
      (instruction) => !(instruction.keyword === "ENV" && instruction.args.includes("NODE_OPTIONS")),
    );
    expect(heapRules(broken)).toContain(
      "runner ENV NODE_OPTIONS must size the heap with --max-old-space-size-percentage",
    );
  });

  itWith(files, "fly")("fails when a platform's NODE_OPTIONS replaces the image's without a heap limit", () => {
    const broken = copyOf(files);
    broken.fly.env.NODE_OPTIONS = "--enable-source-maps";
    expect(heapRules(broken)).toContain(
      "fly [env] NODE_OPTIONS replaces the image's and drops its heap limit: keep the flag in it",
    );
  });

  itWith(files, "fly")("accepts a platform's NODE_OPTIONS that keeps a heap limit", () => {
    const adjusted = copyOf(files);
    adjusted.fly.env.NODE_OPTIONS = "--enable-source-maps --max-old-space-size-percentage=37.5";
    expect(heapRules(adjusted)).toEqual([]);
  });

  itWith(files, "fly")("fails when a VM is too small for a workable heap", () => {
    const broken = copyOf(files);
    broken.fly.vm[0].memory = "256mb";
    expect(heapRules(broken)).toContain("fly [[vm]] app, worker: 256 MB gives a 96 MB heap, below 128 MB");
  });

  itWith(files, "render")("fails on a Render plan whose memory it does not know", () => {
    const broken = copyOf(files);
    broken.render.services.find((service: { type: string }) => service.type === "web").plan = "enormous";
    expect(heapRules(broken)).toContain("render web plan enormous: unknown memory size (add it to the heap rules)");
  });

  it("fails when the build stages bound the heap (next build needs the default)", () => {
    const broken = copyOf(files);
    broken.dockerfile.stages
      .find((stage) => stage.name === "builder")!
      .instructions.push({ keyword: "ENV", args: "NODE_OPTIONS=--max-old-space-size=192" });
    expect(heapRules(broken)).toContain("builder stage must not bound the heap (next build needs the default)");
  });
});

describe("heap sizing arithmetic", () => {
  it("reads the percentage among other options", () => {
    expect(heapPercentageOf("--enable-source-maps --max-old-space-size-percentage=37.5")).toBe(37.5);
    expect(heapPercentageOf("--max-old-space-size=192")).toBeUndefined();
    expect(heapPercentageOf(undefined)).toBeUndefined();
  });

  it("tells a bounded heap from an unbounded one", () => {
    expect(boundsHeap("--max-old-space-size=192")).toBe(true);
    expect(boundsHeap("--max-old-space-size-percentage=50")).toBe(true);
    expect(boundsHeap("--enable-source-maps")).toBe(false);
  });

  it("gives a 512 MB VM a 192 MB heap at 37.5 %, as Node 24 computes it", () => {
    expect(heapMegabytesFor(512, 37.5)).toBe(192);
    expect(heapMegabytesFor(768, 37.5)).toBe(288);
  });

  it("reads the memory sizes manifests write", () => {
    expect(memoryMegabytes("512mb")).toBe(512);
    expect(memoryMegabytes("768m")).toBe(768);
    expect(memoryMegabytes("1g")).toBe(1024);
    expect(memoryMegabytes("2GB")).toBe(2048);
    expect(memoryMegabytes("lots")).toBeUndefined();
  });
});
