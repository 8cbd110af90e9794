// Prints Misskey's link preview (summaly) of the page at argv[2] as JSON.
// Private addresses are allowed: the tests run peerpress on localhost.
process.env.SUMMALY_ALLOW_PRIVATE_IP = "true";
const { summaly } = await import("@misskey-dev/summaly");
const result = await summaly(process.argv[2], { lang: "en" });
process.stdout.write(JSON.stringify(result));
