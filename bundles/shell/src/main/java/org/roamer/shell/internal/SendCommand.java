package org.roamer.shell.internal;

import java.nio.charset.StandardCharsets;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.roamer.api.RoamerNetwork;

@Service
@Command(scope = "roamer", name = "send", description = "Sends application messages to a mobile's agent through the network")
public class SendCommand implements Action {
    @Reference
    RoamerNetwork network;

    @Argument(index = 0, name = "mobile", required = true, description = "Mobile id")
    @Completion(Completers.Mobiles.class)
    String mobile;

    @Argument(index = 1, name = "text", description = "Message text")
    String text = "hello";

    @Option(name = "--count", description = "How many messages (default 1)")
    int count = 1;

    @Option(name = "--sender", description = "Sender label; order is kept per sender (default console)")
    String sender = "console";

    @Argument(index = 2, name = "options", multiValued = true, description = "the options may also follow the arguments")
    java.util.List<String> trailing;

    @Override
    public Object execute() throws Exception {
        java.util.Map<String, String> t = Parse.trailing(trailing, java.util.Set.of("--count", "--sender"),
                java.util.Set.of());
        count = t.containsKey("--count") ? Integer.parseInt(t.get("--count")) : count;
        sender = t.getOrDefault("--sender", sender);
        if (count < 1) {
            throw new IllegalArgumentException("--count must be at least 1");
        }
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            network.send(Parse.mobile(mobile), sender, i, body);
        }
        System.out.printf("sent %d message(s) to %s in %.3f ms%n", count, mobile, (System.nanoTime() - start) / 1e6);
        return null;
    }
}
