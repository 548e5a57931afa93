// Grants the ACLs of ops/kafka/acls.txt on a broker, in one Admin call: run by
// `scripts/kafka.sh secure start` and `scripts/kafka.sh secure acls PREFIX` with Java's
// single-file launcher (java -cp "<kafka jars>" scripts/KafkaAcls.java ...), so no build step.
//
//   KafkaAcls <admin client properties> <bootstrap> <acl table> [topic prefix]
//
// The prefix goes in front of every topic, group and transactionalId name (a test's isolated
// topic set); cluster rows are granted as they are. Exits non-zero naming the bad line.
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

public class KafkaAcls {
    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: KafkaAcls <admin.properties> <bootstrap> <acls.txt> [prefix]");
            System.exit(2);
        }
        Properties props = new Properties();
        try (var in = Files.newInputStream(Path.of(args[0]))) {
            props.load(in);
        }
        props.setProperty("bootstrap.servers", args[1]);
        String prefix = args.length > 3 ? args[3] : "";
        List<AclBinding> acls = parse(Path.of(args[2]), prefix);
        try (Admin admin = Admin.create(props)) {
            admin.createAcls(acls).all().get();
        }
        System.out.println("granted " + acls.size() + " ACLs (prefix '" + prefix + "')");
    }

    static List<AclBinding> parse(Path table, String prefix) throws Exception {
        List<AclBinding> out = new ArrayList<>();
        int n = 0;
        for (String line : Files.readAllLines(table)) {
            n++;
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) continue;
            String[] f = t.split("\\s+");
            if (f.length != 5) fail(table, n, "expected 5 columns, found " + f.length);
            ResourceType type = switch (f[1]) {
                case "topic" -> ResourceType.TOPIC;
                case "group" -> ResourceType.GROUP;
                case "transactionalId" -> ResourceType.TRANSACTIONAL_ID;
                case "cluster" -> ResourceType.CLUSTER;
                default -> { fail(table, n, "unknown resource type " + f[1]); yield null; }
            };
            PatternType pattern = switch (f[3]) {
                case "literal" -> PatternType.LITERAL;
                case "prefix" -> PatternType.PREFIXED;
                default -> { fail(table, n, "unknown pattern " + f[3]); yield null; }
            };
            // "*" is Kafka's wildcard: every name, with or without a prefix.
            String name = type == ResourceType.CLUSTER ? "kafka-cluster"
                    : f[2].equals("*") ? "*" : prefix + f[2];
            var resource = new ResourcePattern(type, name, pattern);
            for (String op : f[4].split(",")) {
                AclOperation operation = AclOperation.fromString(op.replaceAll("([a-z])([A-Z])", "$1_$2"));
                if (operation == AclOperation.UNKNOWN) fail(table, n, "unknown operation " + op);
                out.add(new AclBinding(resource, new AccessControlEntry(
                        "User:" + f[0], "*", operation, AclPermissionType.ALLOW)));
            }
        }
        return out;
    }

    static void fail(Path table, int line, String why) {
        System.err.println(table + ":" + line + ": " + why);
        System.exit(2);
    }
}
